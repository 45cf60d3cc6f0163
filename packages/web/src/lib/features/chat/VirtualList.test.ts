import { fireEvent } from '@testing-library/dom';
import { createRawSnippet, tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { fakeScrollerLayout, mountComponent } from './test-mount.svelte';
import VirtualList from './VirtualList.svelte';

interface Row {
  key: string;
}

const rowSnippet = createRawSnippet((item: () => Row) => ({
  render: () => `<p class="row">${item().key}</p>`,
}));

const items: Row[] = Array.from({ length: 5000 }, (_, i) => ({ key: `m${i}` }));

fakeScrollerLayout();

/** The 5,000 rows, each estimated at 50 px. */
function mountList() {
  return mountComponent(VirtualList<Row>, { items, row: rowSnippet, estimate: () => 50 });
}

function renderedKeys(container: HTMLElement): string[] {
  return [...container.querySelectorAll('.row')].map((row) => row.textContent ?? '');
}

describe('VirtualList', () => {
  it('puts only a window of rows in the DOM for 5,000 items', async () => {
    const { container } = mountList();
    await tick();
    const keys = renderedKeys(container);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.length).toBeLessThan(60);
    const canvas = container.querySelector('.canvas') as HTMLElement;
    expect(canvas.style.height).toBe(`${5000 * 50}px`);
  });

  it('renders the rows around the scroll position, placed at their offsets', async () => {
    const { container } = mountList();
    const scroller = container.querySelector('.scroller') as HTMLElement;
    scroller.scrollTop = 100_000;
    await fireEvent.scroll(scroller);
    await tick();
    const keys = renderedKeys(container);
    expect(keys).toContain('m2000');
    expect(keys).toContain('m2011');
    expect(keys).not.toContain('m0');
    const slot = container.querySelector('[data-key="m2000"]') as HTMLElement;
    expect(slot.style.transform).toBe('translateY(100000px)');
  });

  it('keeps the row at the top of the view in place when rows are prepended', async () => {
    const { container, update } = mountList();
    const scroller = container.querySelector('.scroller') as HTMLElement;
    scroller.scrollTop = 500;
    await fireEvent.scroll(scroller);
    const older = Array.from({ length: 50 }, (_, i) => ({ key: `old${i}` }));
    update({ items: [...older, ...items] });
    await tick();
    expect(scroller.scrollTop).toBe(500 + 50 * 50);
    expect(renderedKeys(container)).toContain('m10');
  });

  it('scrolls a row into the middle of the view', async () => {
    const { container, instance } = mountList();
    const scroller = container.querySelector('.scroller') as HTMLElement;
    expect(instance.scrollToKey('m3000')).toBe(true);
    await tick();
    expect(scroller.scrollTop).toBe(3000 * 50 - 275);
    expect(instance.isRendered('m3000')).toBe(true);
    expect(instance.scrollToKey('nope')).toBe(false);
  });
});
