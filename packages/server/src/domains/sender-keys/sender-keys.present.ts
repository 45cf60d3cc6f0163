import type { SenderKeyDistribution, SenderKeyUpdatedFrame } from '@chatalot/protocol';
import type { DistributionRecord } from './sender-keys.repo.js';

export function presentDistribution(record: DistributionRecord): SenderKeyDistribution {
  return {
    id: record.id,
    channel_id: record.channel_id,
    user_id: record.user_id,
    chain_id: record.chain_id,
    distribution: record.distribution,
    created_at: record.created_at.toISOString(),
  };
}

export function presentUpdated(record: DistributionRecord): SenderKeyUpdatedFrame {
  return {
    type: 'sender_key_updated',
    channel_id: record.channel_id,
    user_id: record.user_id,
    chain_id: record.chain_id,
    distribution: record.distribution,
  };
}
