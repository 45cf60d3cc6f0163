import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Uploaded files as the files domain will lay them out: nested directories, binary and empty files. */
export function placeUploads(filesDir: string): void {
  mkdirSync(path.join(filesDir, 'ab/cd'), { recursive: true });
  writeFileSync(path.join(filesDir, 'ab/cd/0190-upload.bin'), randomBytes(300_000));
  writeFileSync(path.join(filesDir, 'ab/avatar.webp'), randomBytes(2_000));
  writeFileSync(path.join(filesDir, 'empty'), '');
}

/** Unpacks an archive, lets `change` edit its contents and packs it again as a valid gzipped tar. */
export function repack(archive: string, into: string, change: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatalot-h7-repack-'));
  try {
    execFileSync('tar', ['-xzf', archive, '-C', dir]);
    change(dir);
    execFileSync('tar', ['-czf', into, '-C', dir, '.']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(file, JSON.stringify(value));
}
