import { z } from 'zod';

export const healthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptime_secs: z.number().int().nonnegative(),
  db_healthy: z.boolean(),
});

export type HealthResponse = z.infer<typeof healthResponse>;
