import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Manifest } from './archive.js';
import { CliError } from './cli-error.js';

export const TOTP_KEY_NAME = 'totp_encryption_key';

/** Paths of every regular file under `root`, relative to it, sorted; none when `root` does not exist. */
export function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** The secrets the server runs with, by archive name: the JWT pair and the TOTP encryption key. */
export function readSecrets(config: Config): Map<string, Buffer> {
  const secrets = new Map<string, Buffer>();
  for (const [name, file] of Object.entries(jwtPaths(config))) {
    if (existsSync(file)) secrets.set(name, readFileSync(file));
  }
  const totpFile = path.join(config.dataDir, 'secrets', TOTP_KEY_NAME);
  if (config.totpEncryptionKey)
    secrets.set(TOTP_KEY_NAME, Buffer.from(`${config.totpEncryptionKey.toString('hex')}\n`));
  else if (existsSync(totpFile)) secrets.set(TOTP_KEY_NAME, readFileSync(totpFile));
  return secrets;
}

function jwtPaths(config: Config): Record<string, string> {
  return { 'jwt_private.pem': config.jwt.privateKeyPath, 'jwt_public.pem': config.jwt.publicKeyPath };
}

interface Copy {
  from: string;
  to: string;
  secret: boolean;
}

/**
 * Where each file and secret of an unpacked archive goes on this instance. Files already there with the
 * same contents are skipped (importing on the machine the export came from); different ones are refused
 * before anything is written.
 */
export function planCopies(config: Config, unpackedDir: string, manifest: Manifest): Copy[] {
  const copies: Copy[] = [];
  const conflicts: string[] = [];
  const consider = (from: string, to: string, secret: boolean) => {
    if (!existsSync(to)) copies.push({ from, to, secret });
    else if (!readFileSync(to).equals(readFileSync(from))) conflicts.push(to);
  };
  for (const file of manifest.files) {
    consider(path.join(unpackedDir, 'files', file.path), path.join(config.fileStoragePath, file.path), false);
  }
  const targets: Record<string, string> = {
    ...jwtPaths(config),
    [TOTP_KEY_NAME]: path.join(config.dataDir, 'secrets', TOTP_KEY_NAME),
  };
  for (const secret of manifest.secrets) {
    const from = path.join(unpackedDir, 'secrets', secret.path);
    if (secret.path === TOTP_KEY_NAME && config.totpEncryptionKey)
      checkTotpKey(config.totpEncryptionKey, from);
    else if (targets[secret.path]) consider(from, targets[secret.path] as string, true);
  }
  if (conflicts.length > 0) {
    throw new CliError(
      `these files already exist with other contents (move them away first): ${conflicts.slice(0, 5).join(', ')}` +
        (conflicts.length > 5 ? ` and ${conflicts.length - 5} more` : ''),
    );
  }
  return copies;
}

function checkTotpKey(configured: Buffer, archived: string): void {
  if (!Buffer.from(readFileSync(archived, 'utf8').trim(), 'hex').equals(configured)) {
    throw new CliError(
      'TOTP_ENCRYPTION_KEY differs from the exported instance key, so every two-factor secret would become ' +
        `unreadable: unset it (the archive key is then used) or set it to the archive's secrets/${TOTP_KEY_NAME}`,
    );
  }
}

export function applyCopies(copies: Copy[]): void {
  for (const copy of copies) {
    mkdirSync(path.dirname(copy.to), { recursive: true, mode: copy.secret ? 0o700 : 0o755 });
    copyFileSync(copy.from, copy.to, constants.COPYFILE_EXCL);
    if (copy.secret) chmodSync(copy.to, 0o600);
  }
}
