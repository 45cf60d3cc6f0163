import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ConfigError } from './env-vars.js';

export interface Secrets {
  jwtPrivateKey: KeyObject;
  jwtPublicKey: KeyObject;
  totpKey: Buffer;
}

/**
 * Loads the JWT key pair and the TOTP key, generating what is missing on first start. The private key
 * is the source of truth: a missing public key is derived from it, never generated apart from it.
 */
export function loadSecrets(config: Config): Secrets {
  const jwtPrivateKey = loadJwtPrivateKey(config.jwt);
  const jwtPublicKey = loadJwtPublicKey(config.jwt.publicKeyPath, jwtPrivateKey);
  const totpKey = config.totpEncryptionKey ?? loadOrCreateTotpKey(path.join(config.dataDir, 'secrets'));
  return { jwtPrivateKey, jwtPublicKey, totpKey };
}

function loadJwtPrivateKey({ privateKeyPath, generateIfMissing }: Config['jwt']): KeyObject {
  let pem = readIfExists(privateKeyPath);
  if (pem === null) {
    if (!generateIfMissing)
      throw new ConfigError('JWT_PRIVATE_KEY_PATH', `points to a missing file: ${privateKeyPath}`);
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = writeOnce(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  }
  const key = parseKey(() => createPrivateKey(pem), 'JWT_PRIVATE_KEY_PATH', privateKeyPath);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError('JWT_PRIVATE_KEY_PATH', `must hold an Ed25519 private key: ${privateKeyPath}`);
  }
  return key;
}

function loadJwtPublicKey(publicKeyPath: string, privateKey: KeyObject): KeyObject {
  const derived = createPublicKey(privateKey);
  const pem = readIfExists(publicKeyPath);
  if (pem === null) {
    writeOnce(publicKeyPath, derived.export({ type: 'spki', format: 'pem' }).toString());
    return derived;
  }
  const key = parseKey(() => createPublicKey(pem), 'JWT_PUBLIC_KEY_PATH', publicKeyPath);
  if (!key.equals(derived)) {
    throw new ConfigError('JWT_PUBLIC_KEY_PATH', `does not match the private key: ${publicKeyPath}`);
  }
  return key;
}

function loadOrCreateTotpKey(secretsDir: string): Buffer {
  const file = path.join(secretsDir, 'totp_encryption_key');
  const hex = readIfExists(file) ?? writeOnce(file, `${randomBytes(32).toString('hex')}\n`);
  const key = Buffer.from(hex.trim(), 'hex');
  if (key.length !== 32)
    throw new ConfigError('TOTP_ENCRYPTION_KEY', `file ${file} must hold 64 hex characters`);
  return key;
}

function parseKey(parse: () => KeyObject, variable: string, file: string): KeyObject {
  try {
    return parse();
  } catch {
    throw new ConfigError(variable, `does not hold a PEM key: ${file}`);
  }
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes a new secret with owner-only permissions; if another process won the race, keeps its file. */
function writeOnce(file: string, contents: string): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, contents, { mode: 0o600, flag: 'wx' });
    return contents;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8');
    throw error;
  }
}
