import { z } from 'zod';
import { text } from './common.js';

export const changePasswordRequest = z.object({ current_password: text(1024), new_password: text(1024) });
export const deleteAccountRequest = z.object({ password: text(1024) });

/** Session (rest-api.md §1.11): one signed-in device. */
export interface SessionInfo {
  id: string;
  device_name: string | null;
  ip_address: string | null;
  created_at: string;
  expires_at: string;
}
