import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Timestamp>;
}

export interface InstanceSettingsTable {
  key: string;
  value: unknown;
  updated_at: Generated<Timestamp>;
}

export interface Schema {
  schema_migrations: SchemaMigrationsTable;
  instance_settings: InstanceSettingsTable;
}
