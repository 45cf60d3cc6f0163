import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { wrapPGlite } from '../src/platform/db/database.js';
import { migrate, readMigrations } from '../src/platform/db/migrations.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

/**
 * Creating a PGlite database costs seconds, so the suite migrates one template per set of migrations
 * and every test file starts from a copy of it.
 */
export default async function setup(project: TestProject): Promise<void> {
  const migrations = readMigrations();
  const key = createHash('sha256')
    .update(migrations.map((migration) => migration.checksum).join(','))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(tmpdir(), `chatalot-pglite-template-${key}.tar`);
  if (!existsSync(file)) {
    const pglite = await PGlite.create();
    await migrate(wrapPGlite(pglite).db, migrations);
    const dump = await pglite.dumpDataDir('none');
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()));
    renameSync(temporary, file);
    await pglite.close();
  }
  project.provide('pgliteTemplate', file);
}
