import { type Component, flushSync, mount, unmount } from 'svelte';
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * Mounts a component into the document for a component test, with reactive props to `update`.
 * (`@testing-library/svelte`'s `render` needs its `.svelte.js` helper compiled, which this workspace's
 * vitest setup does not do for dependencies; queries and events still come from `@testing-library/dom`.)
 */
export function mountComponent<
  Props extends Record<string, unknown>,
  Exports extends Record<string, unknown>,
>(component: Component<Props, Exports>, initial: Props, context?: Map<unknown, unknown>) {
  const container = document.body.appendChild(document.createElement('div'));
  const props = $state(initial);
  const instance = mount(component, { target: container, props, ...(context && { context }) });
  flushSync();
  const handle = {
    container,
    instance,
    update(next: Partial<Props>) {
      Object.assign(props, next);
      flushSync();
    },
    destroy() {
      unmount(instance);
      container.remove();
      mounted.delete(handle);
    },
  };
  mounted.add(handle);
  return handle;
}

const mounted = new Set<{ destroy(): void }>();

afterEach(() => {
  for (const handle of [...mounted]) handle.destroy();
});

/**
 * jsdom has no layout: for the tests of this file, give every `.scroller` a 600 px viewport and, as its
 * content, the height of the `.canvas` inside it (as `VirtualList` sets it).
 */
export function fakeScrollerLayout(): void {
  const originals = ['clientHeight', 'scrollHeight'].map(
    (name) => [name, Object.getOwnPropertyDescriptor(Element.prototype, name)] as const,
  );
  beforeAll(() => {
    Object.defineProperty(Element.prototype, 'clientHeight', {
      configurable: true,
      get(this: Element) {
        return this.classList.contains('scroller') ? 600 : 0;
      },
    });
    Object.defineProperty(Element.prototype, 'scrollHeight', {
      configurable: true,
      get(this: Element) {
        const canvas = this.querySelector<HTMLElement>('.canvas');
        return canvas ? Math.max(600, Number.parseFloat(canvas.style.height)) : 0;
      },
    });
  });
  afterAll(() => {
    for (const [name, descriptor] of originals)
      if (descriptor) Object.defineProperty(Element.prototype, name, descriptor);
  });
}
