import { WsError } from '../../platform/errors.js';
import { roleLevel, withInstanceRole } from '../permissions/roles.js';
import type { SendContext } from './messages.repo.js';

/** Messages can be edited this long after they were sent (websocket.md §3). */
export const EDIT_WINDOW_MS = 15 * 60_000;

/** Moderators and up (instance staff included) are exempt from read-only, slow mode and timeouts; in a DM only staff. */
export function isPrivileged(context: SendContext): boolean {
  const flags = { is_owner: context.isOwner, is_admin: context.isAdmin };
  if (context.channelType === 'dm') return context.isOwner || context.isAdmin;
  return roleLevel(withInstanceRole(flags, context.role)) >= roleLevel('moderator');
}

/** The channel-level send rules, in the reference's order (websocket.md §6.2 step 5). */
export function assertChannelAllowsSending(context: SendContext, now: number): void {
  if (context.channelType === 'dm') return;
  const privileged = isPrivileged(context);
  if (context.archived) throw new WsError('archived', 'this channel is archived');
  if (context.readOnly && !privileged) throw new WsError('read_only', 'this channel is read-only');
  if (!privileged && context.slowModeSeconds > 0 && context.lastSent !== null) {
    const waitMs = context.lastSent.getTime() + context.slowModeSeconds * 1000 - now;
    if (waitMs > 0) throw new WsError('slow_mode', `slow mode: wait ${Math.ceil(waitMs / 1000)} seconds`);
  }
  if (!privileged && context.timeoutUntil !== null) throw timedOut(context.timeoutUntil, now);
}

export function timedOut(until: Date, now: number): WsError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now) / 1000));
  return new WsError('timed_out', `you are timed out for ${seconds} more seconds`);
}
