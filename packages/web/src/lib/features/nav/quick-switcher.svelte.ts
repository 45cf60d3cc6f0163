/** Whether the quick switcher is open; the shell's search box may open it too. */
class QuickSwitcherState {
  open = $state(false);

  show(): void {
    this.open = true;
  }

  hide(): void {
    this.open = false;
  }

  toggle(): void {
    this.open = !this.open;
  }
}

export const quickSwitcher = new QuickSwitcherState();
