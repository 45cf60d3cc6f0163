import type { DmChannel } from '@chatalot/protocol';
import { presentChannel } from '../channels/channels.present.js';
import { presentUser, type UserRecord } from '../users/users.present.js';
import type { ChannelRecord } from './dms.repo.js';

export interface Dm {
  channel: ChannelRecord;
  other: UserRecord;
}

export function presentDm(dm: Dm): DmChannel {
  return { channel: presentChannel(dm.channel), other_user: presentUser(dm.other) };
}
