/** The app shell's own open/closed state: the mobile navigation overlay and the shortcuts dialog. */
class Shell {
  /** The navigation overlay on narrow screens (MOB-01); the sidebar is always there on wide ones. */
  navOpen = $state(false);
  shortcutsOpen = $state(false);

  openNav(): void {
    this.navOpen = true;
  }

  closeNav(): void {
    this.navOpen = false;
  }

  toggleShortcuts(): void {
    this.shortcutsOpen = !this.shortcutsOpen;
  }
}

export const shell = new Shell();
