import type { PresenceStatus } from '@chatalot/protocol';

/** A status this user can pick (PRES-01); `offline` is only ever what others see. */
export type ChosenStatus = Exclude<PresenceStatus, 'offline'>;

export const statusLabel: Record<PresenceStatus, string> = {
  online: 'Online',
  idle: 'Away',
  dnd: 'Do Not Disturb',
  invisible: 'Invisible',
  offline: 'Offline',
};

export const statusOptions: ReadonlyArray<{ value: ChosenStatus; label: string; description: string }> = [
  { value: 'online', label: statusLabel.online, description: 'Others see you online' },
  { value: 'idle', label: statusLabel.idle, description: 'Others see you as away' },
  { value: 'dnd', label: statusLabel.dnd, description: 'Others see you as busy' },
  { value: 'invisible', label: statusLabel.invisible, description: 'Others see you offline' },
];

export function isChosenStatus(value: unknown): value is ChosenStatus {
  return value === 'online' || value === 'idle' || value === 'dnd' || value === 'invisible';
}
