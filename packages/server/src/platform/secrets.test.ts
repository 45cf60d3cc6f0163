import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDir } from '../../test/harness.js';
import { loadConfig } from '../config.js';
import { ConfigError } from './env-vars.js';
import { loadSecrets } from './secrets.js';

describe('loadSecrets', () => {
  it('generates an Ed25519 pair and a TOTP key into DATA_DIR/secrets, owner-only, once', () => {
    const dataDir = temporaryDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = loadSecrets(config);
    const secretsDir = path.join(dataDir, 'secrets');
    for (const file of ['jwt_private.pem', 'jwt_public.pem', 'totp_encryption_key']) {
      expect(statSync(path.join(secretsDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(secretsDir).mode & 0o777).toBe(0o700);
    expect(first.jwtPrivateKey.asymmetricKeyType).toBe('ed25519');
    expect(first.totpKey).toHaveLength(32);

    const second = loadSecrets(config);
    expect(second.totpKey).toEqual(first.totpKey);
    const signature = sign(null, Buffer.from('hello'), first.jwtPrivateKey);
    expect(verify(null, Buffer.from('hello'), second.jwtPublicKey, signature)).toBe(true);
  });

  it('uses TOTP_ENCRYPTION_KEY when given and writes no key file', () => {
    const dataDir = temporaryDir();
    const secrets = loadSecrets(loadConfig({ DATA_DIR: dataDir, TOTP_ENCRYPTION_KEY: '01'.repeat(32) }));
    expect(secrets.totpKey).toEqual(Buffer.alloc(32, 1));
    expect(() => statSync(path.join(dataDir, 'secrets', 'totp_encryption_key'))).toThrow();
  });

  it('refuses an explicitly configured key file that does not exist instead of inventing one', () => {
    const dataDir = temporaryDir();
    const config = loadConfig({ DATA_DIR: dataDir, JWT_PRIVATE_KEY_PATH: path.join(dataDir, 'missing.pem') });
    expect(() => loadSecrets(config)).toThrow(ConfigError);
    expect(() => loadSecrets(config)).toThrow(/JWT_PRIVATE_KEY_PATH/);
  });

  it('refuses a public key that does not belong to the private key', () => {
    const dataDir = temporaryDir();
    const secretsDir = path.join(dataDir, 'secrets');
    mkdirSync(secretsDir);
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
    writeFileSync(path.join(secretsDir, 'jwt_public.pem'), other);
    expect(() => loadSecrets(loadConfig({ DATA_DIR: dataDir }))).toThrow(
      /JWT_PUBLIC_KEY_PATH does not match/,
    );
  });

  it('refuses a key that is not Ed25519', () => {
    const dataDir = temporaryDir();
    const file = path.join(dataDir, 'rsa.pem');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    writeFileSync(file, rsa.export({ type: 'pkcs8', format: 'pem' }));
    const config = loadConfig({ DATA_DIR: dataDir, JWT_PRIVATE_KEY_PATH: file });
    expect(() => loadSecrets(config)).toThrow(/Ed25519/);
    expect(readFileSync(file, 'utf8')).toContain('PRIVATE KEY');
  });
});
