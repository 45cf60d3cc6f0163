import type { ColumnType, Generated } from 'kysely';

/** A timestamp with a database default: optional on insert. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A timestamp the application must supply. */
type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string, string>;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

export interface InstanceSettingsTable {
  key: string;
  value: Json;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  email: string;
  password_hash: string;
  avatar_url: string | null;
  banner_url: string | null;
  voice_background_url: string | null;
  custom_status: string | null;
  bio: string | null;
  pronouns: string | null;
  totp_secret: Buffer | null;
  totp_enabled: Generated<boolean>;
  totp_backup_codes: string[] | null;
  totp_last_step: number | null;
  recovery_code_hash: string | null;
  is_admin: Generated<boolean>;
  is_owner: Generated<boolean>;
  suspended_at: NullableTimestamp;
  suspended_reason: string | null;
  upload_bytes_used: Generated<number>;
  preferences: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdentityKeysTable {
  user_id: string;
  identity_key: Buffer;
  fingerprint: string;
  created_at: Timestamp;
  rotated_at: NullableTimestamp;
}

export interface SignedPrekeysTable {
  id: string;
  user_id: string;
  key_id: number;
  public_key: Buffer;
  signature: Buffer;
  created_at: Timestamp;
}

export interface OneTimePrekeysTable {
  id: string;
  user_id: string;
  key_id: number;
  public_key: Buffer;
  used: Generated<boolean>;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  device_name: string | null;
  ip_address: string | null;
  created_at: Timestamp;
  refreshed_at: Timestamp;
  expires_at: RequiredTimestamp;
  revoked_at: NullableTimestamp;
}

export interface RefreshTokensTable {
  token_hash: Buffer;
  session_id: string;
  created_at: Timestamp;
  expires_at: RequiredTimestamp;
  replaced_at: NullableTimestamp;
}

export interface AuthFailuresTable {
  key: string;
  failures: number;
  last_failure_at: RequiredTimestamp;
  locked_until: NullableTimestamp;
}

export interface AuditLogTable {
  id: string;
  user_id: string | null;
  action: string;
  ip_address: string | null;
  user_agent: string | null;
  metadata: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface RegistrationInvitesTable {
  id: string;
  code: string;
  created_by: string | null;
  max_uses: number | null;
  used_count: Generated<number>;
  expires_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface UserBlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: Timestamp;
}

export interface Schema {
  schema_migrations: SchemaMigrationsTable;
  instance_settings: InstanceSettingsTable;
  users: UsersTable;
  identity_keys: IdentityKeysTable;
  signed_prekeys: SignedPrekeysTable;
  one_time_prekeys: OneTimePrekeysTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  auth_failures: AuthFailuresTable;
  audit_log: AuditLogTable;
  registration_invites: RegistrationInvitesTable;
  user_blocks: UserBlocksTable;
}
