import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, lstatSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { CliError } from './cli-error.js';

const run = promisify(execFile);

export const ARCHIVE_FORMAT = 'chatalot-export';
export const ARCHIVE_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

const sqlName = z.string().regex(/^[a-z_][a-z0-9_]*$/);
/** A relative path inside the archive: no absolute paths, no `..`, no empty segments. */
const relativePath = z
  .string()
  .min(1)
  .refine((value) => value.split('/').every((part) => part !== '' && part !== '.' && part !== '..'));
const part = z.object({ path: relativePath, size: z.number().int().min(0), sha256: z.string().length(64) });

const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.literal(ARCHIVE_VERSION),
  createdAt: z.string(),
  serverVersion: z.string(),
  source: z.enum(['embedded', 'postgres']),
  schema: z.array(z.object({ version: z.number().int().min(1), name: z.string(), checksum: z.string() })),
  tables: z.array(
    z.object({
      name: sqlName,
      columns: z.array(sqlName).min(1),
      rows: z.number().int().min(0),
      file: part,
    }),
  ),
  sequences: z.array(z.object({ name: sqlName, lastValue: z.string(), isCalled: z.boolean() })),
  files: z.array(part),
  secrets: z.array(part),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ArchivePart = z.infer<typeof part>;

/**
 * Writes `stagingDir` as one gzipped tar, readable only by its owner (it holds the instance's secrets).
 * It appears under its final name only when complete. Symbolic links in the staging directory are followed,
 * so the files directory is archived in place rather than copied first.
 */
export async function packArchive(stagingDir: string, archivePath: string): Promise<void> {
  const partial = `${archivePath}.partial`;
  try {
    await run('tar', ['-czhf', partial, '-C', stagingDir, '.']);
    chmodSync(partial, 0o600);
    renameSync(partial, archivePath);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new CliError(`could not write ${archivePath}: ${describe(error)}`);
  }
}

/** Unpacks an archive and checks every part against the manifest before anything is imported. */
export async function unpackArchive(archivePath: string, intoDir: string): Promise<Manifest> {
  try {
    await run('tar', ['-xzf', archivePath, '-C', intoDir]);
  } catch (error) {
    throw new CliError(`${archivePath} is not a readable export (truncated or damaged?): ${describe(error)}`);
  }
  const manifest = readManifest(path.join(intoDir, MANIFEST_NAME), archivePath);
  const parts = [
    ...manifest.tables.map((table) => ({ ...table.file, path: `tables/${table.file.path}` })),
    ...manifest.files.map((file) => ({ ...file, path: `files/${file.path}` })),
    ...manifest.secrets.map((secret) => ({ ...secret, path: `secrets/${secret.path}` })),
  ];
  for (const expected of parts) await verifyPart(intoDir, expected, archivePath);
  return manifest;
}

function readManifest(file: string, archivePath: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new CliError(`${archivePath} has no readable ${MANIFEST_NAME}: is it a Chatalot export?`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    throw new CliError(
      `${archivePath} has a ${MANIFEST_NAME} this release cannot read (not a Chatalot export?)`,
    );
  }
  return result.data;
}

async function verifyPart(dir: string, expected: ArchivePart, archivePath: string): Promise<void> {
  const file = path.join(dir, expected.path);
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) throw new CliError(`${archivePath} is incomplete: ${expected.path} is missing`);
  if (stat.size !== expected.size || (await sha256File(file)) !== expected.sha256) {
    throw new CliError(`${archivePath} is damaged: ${expected.path} does not match its checksum`);
  }
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export async function describePart(root: string, relative: string): Promise<ArchivePart> {
  const file = path.join(root, relative);
  return { path: relative, size: lstatSync(file).size, sha256: await sha256File(file) };
}

function describe(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr?.trim();
  const text = stderr || (error instanceof Error ? error.message : String(error));
  return [...new Set(text.split('\n'))].join('; ');
}
