import path from 'node:path';
import { ConfigError, loadConfig } from '../config.js';
import { MigrationError } from '../platform/db/migrations.js';
import type { Env } from '../platform/env-vars.js';
import { CliError } from './cli-error.js';
import { exportInstance } from './export.js';
import { importInstance } from './import.js';

const USAGE = `usage: chatalot <command> <archive>

  export <archive.tar.gz>  write this instance (database, files, secrets) into one archive
  import <archive.tar.gz>  restore an archive into an empty database and this instance's data directory

Both read the server's settings from the environment (DATA_DIR, DATABASE_URL, FILE_STORAGE_PATH, ...):
without DATABASE_URL they use the embedded database in DATA_DIR/db, which the server must not hold.`;

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs one command; resolves with the process exit code. */
export async function runCli(args: string[], env: Env, output: Output): Promise<number> {
  const [command, archive, ...extra] = args;
  if (command === undefined || command === 'help' || command === '--help') {
    output.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if ((command !== 'export' && command !== 'import') || archive === undefined || extra.length > 0) {
    output.err(USAGE);
    return 2;
  }
  try {
    const config = loadConfig(env);
    const file = path.resolve(archive);
    if (command === 'export') {
      const done = await exportInstance(config, file);
      output.out(
        `exported ${done.tables} tables (${done.rows} rows), ${done.files} files and ${done.secrets} secrets to ${file}`,
      );
    } else {
      const done = await importInstance(config, file);
      const upgraded = done.upgradedTo === null ? '' : `; migrated to schema version ${done.upgradedTo}`;
      output.out(`imported ${done.rows} rows from ${file}, wrote ${done.files} files and secrets${upgraded}`);
    }
    return 0;
  } catch (error) {
    output.err(`chatalot ${command}: ${message(error)}`);
    return 1;
  }
}

function message(error: unknown): string {
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (error instanceof CliError || error instanceof MigrationError) return error.message;
  return error instanceof Error ? `failed: ${error.stack ?? error.message}` : String(error);
}
