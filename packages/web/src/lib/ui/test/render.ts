import { type Component, flushSync, mount, unmount } from 'svelte';

/** jsdom has no Web Animations; Svelte's transitions only need `onfinish` to fire and `cancel`. */
function stubAnimations(): void {
  if (typeof Element.prototype.animate === 'function') return;
  Element.prototype.animate = function animate() {
    const animation = { onfinish: null as (() => void) | null, currentTime: 0, cancel() {} };
    queueMicrotask(() => animation.onfinish?.());
    return animation as unknown as Animation;
  };
}

/**
 * Mounts a component into the document for a test. (@testing-library/svelte's own `render` needs its
 * `.svelte.js` helper compiled, which the shared vitest config does not inline.)
 */
export function render<Props extends Record<string, unknown>>(
  component: Component<Props>,
  props: Props = {} as Props,
): { target: HTMLElement; destroy: () => void } {
  stubAnimations();
  const target = document.body.appendChild(document.createElement('div'));
  const instance = mount(component, { target, props });
  flushSync();
  return {
    target,
    destroy: () => {
      unmount(instance);
      target.remove();
    },
  };
}
