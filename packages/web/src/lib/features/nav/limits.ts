import type { channelLimits, communityLimits, groupLimits } from '@chatalot/protocol';

/**
 * Form limits, typed as the protocol's literal values so the two cannot drift, without importing the
 * protocol's runtime module (and zod with it) into the bundle.
 */
export const nameMax: (typeof channelLimits)['name'] &
  (typeof groupLimits)['name'] &
  (typeof communityLimits)['name'] = 64;
export const topicMax: (typeof channelLimits)['topic'] = 512;
export const descriptionMax: (typeof groupLimits)['description'] & (typeof communityLimits)['description'] =
  2048;
