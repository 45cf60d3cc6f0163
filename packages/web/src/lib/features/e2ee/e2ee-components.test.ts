import { fireEvent, screen, waitFor } from '@testing-library/dom';
import type { Component } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render as mount } from '$lib/ui/test/render';
import type { E2eStatus, PeerTrust } from './e2ee-types';

const fake = vi.hoisted(() => ({
  e2ee: {
    trustVersion: 0,
    problem: null as string | null,
    configured: true,
    enabled: true,
    peerStatus: vi.fn(),
    ownFingerprint: vi.fn(),
    verify: vi.fn(),
    acknowledgeKeyChange: vi.fn(),
  },
}));
vi.mock('./e2ee.svelte', () => ({ e2ee: fake.e2ee }));

const { default: E2eStatusIcon } = await import('./E2eStatusIcon.svelte');
const { default: E2eNotice } = await import('./E2eNotice.svelte');
const { default: KeyChangeBanner } = await import('./KeyChangeBanner.svelte');
const { default: VerifyModal } = await import('./VerifyModal.svelte');

const trust = (overrides: Partial<PeerTrust> = {}): PeerTrust => ({
  fingerprint: 'b'.repeat(64),
  ownFingerprint: 'a'.repeat(64),
  safetyNumber: '12345 67890 11111 22222 33333 44444 55555 66666',
  verified: false,
  changed: false,
  changedAt: null,
  previousFingerprint: null,
  warn: false,
  ...overrides,
});

const mounted: Array<() => void> = [];

function render<Props extends Record<string, unknown>>(component: Component<Props>, props = {} as Props) {
  const { target, destroy } = mount(component, props);
  mounted.push(destroy);
  return { container: target, unmount: destroy };
}

afterEach(() => {
  for (const destroy of mounted.splice(0)) destroy();
});

beforeEach(() => {
  vi.clearAllMocks();
  Object.assign(fake.e2ee, { problem: null, configured: true, enabled: true });
  fake.e2ee.ownFingerprint.mockResolvedValue('a'.repeat(64));
});

describe('E2eStatusIcon', () => {
  it('labels each status it shows and shows nothing for plaintext', () => {
    const icon = (status: E2eStatus, reason?: string) => render(E2eStatusIcon, { status, reason });
    const { container, unmount } = icon('failed', 'no key');
    expect(screen.getByRole('img', { name: 'Could not be decrypted' })).toBeTruthy();
    expect(container.querySelector('[title="no key"]')).toBeTruthy();
    unmount();
    for (const status of ['encrypted', 'unencrypted_warning', 'plaintext', 'control'] as const) icon(status);
    const labels = screen.getAllByRole('img').map((icon) => icon.getAttribute('aria-label'));
    expect(labels).toEqual(['End-to-end encrypted', 'Not encrypted, although this conversation is']);
  });
});

describe('E2eNotice', () => {
  it('says plainly when the server has encryption off, and shows device problems first', () => {
    fake.e2ee.enabled = false;
    const { unmount } = render(E2eNotice);
    expect(screen.getByRole('note').textContent).toContain('Messages here are not end-to-end encrypted');
    unmount();
    fake.e2ee.problem = 'keys could not be uploaded';
    render(E2eNotice);
    expect(screen.getByRole('status').textContent).toContain('keys could not be uploaded');
  });

  it('says nothing while encryption is on', () => {
    const { container } = render(E2eNotice);
    expect(container.textContent?.trim()).toBe('');
  });
});

describe('VerifyModal', () => {
  it('shows the safety number and both fingerprints, and marks the key verified', async () => {
    fake.e2ee.peerStatus.mockResolvedValue(trust());
    fake.e2ee.verify.mockResolvedValue(undefined);
    render(VerifyModal, { open: true, peerId: 'bob', peerName: 'Bob', onclose: () => undefined });
    expect(await screen.findByTestId('safety-number')).toHaveProperty('textContent', trust().safetyNumber);
    expect(screen.getByTestId('own-fingerprint').textContent?.replaceAll(' ', '')).toBe('a'.repeat(64));
    expect(screen.getByTestId('peer-fingerprint').textContent?.replaceAll(' ', '')).toBe('b'.repeat(64));
    await fireEvent.click(screen.getByRole('button', { name: 'Mark as verified' }));
    expect(fake.e2ee.verify).toHaveBeenCalledWith('bob', 'b'.repeat(64));
  });

  it('explains that the session starts with the first message when there is none', async () => {
    fake.e2ee.peerStatus.mockResolvedValue(null);
    render(VerifyModal, { open: true, peerId: 'bob', peerName: 'Bob', onclose: () => undefined });
    expect(await screen.findByText(/starts with the first message/)).toBeTruthy();
    expect(screen.getByTestId('own-fingerprint')).toBeTruthy();
    expect(screen.queryByTestId('safety-number')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Mark as verified' })).toBeNull();
  });
});

describe('KeyChangeBanner', () => {
  it('warns about an unhandled key change; Acknowledge records it, Verify opens the dialog', async () => {
    fake.e2ee.peerStatus.mockResolvedValue(trust({ changed: true, changedAt: 1, warn: true }));
    fake.e2ee.acknowledgeKeyChange.mockResolvedValue(undefined);
    render(KeyChangeBanner, { peerId: 'bob', peerName: 'Bob' });
    expect((await screen.findByRole('status')).textContent).toContain("Bob's safety number changed");
    await fireEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    expect(fake.e2ee.acknowledgeKeyChange).toHaveBeenCalledWith('bob', 'b'.repeat(64));
    await fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(screen.getByRole('dialog', { name: 'End-to-end encrypted' })).toBeTruthy());
  });

  it('stays hidden when the change was acknowledged or verified', async () => {
    fake.e2ee.peerStatus.mockResolvedValue(trust({ changed: true, changedAt: 1, warn: false }));
    render(KeyChangeBanner, { peerId: 'bob', peerName: 'Bob' });
    await waitFor(() => expect(fake.e2ee.peerStatus).toHaveBeenCalled());
    expect(screen.queryByRole('status')).toBeNull();
  });
});
