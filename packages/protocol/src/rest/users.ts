import { z } from 'zod';

/** UserPublic (rest-api.md §1.11). */
export const userPublic = z.object({
  id: z.string(),
  username: z.string(),
  display_name: z.string(),
  avatar_url: z.string().nullable(),
  banner_url: z.string().nullable(),
  voice_background_url: z.string().optional(),
  status: z.string(),
  custom_status: z.string().nullable(),
  bio: z.string().optional(),
  pronouns: z.string().optional(),
  is_admin: z.boolean(),
  is_owner: z.boolean(),
  created_at: z.string(),
});
export type UserPublic = z.infer<typeof userPublic>;

/** MemberInfo (rest-api.md §1.11): a user as a member of a community, group or channel. */
export const memberInfo = <R extends z.ZodType<string>>(role: R) =>
  z.object({
    user_id: z.string(),
    username: z.string(),
    display_name: z.string(),
    avatar_url: z.string().nullable(),
    role,
    joined_at: z.string(),
  });
export type MemberInfo<R extends string = string> = Omit<z.infer<ReturnType<typeof memberInfo>>, 'role'> & {
  role: R;
};
