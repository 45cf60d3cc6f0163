import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const cwd = '/srv/chatalot';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('runs with no environment at all: embedded database, everything under ./data', () => {
    const config = loadConfig({}, cwd);
    expect(config.databaseUrl).toBeNull();
    expect(config.dataDir).toBe('/srv/chatalot/data');
    expect(config.fileStoragePath).toBe('/srv/chatalot/data/files');
    expect(config.jwt).toEqual({
      privateKeyPath: '/srv/chatalot/data/secrets/jwt_private.pem',
      publicKeyPath: '/srv/chatalot/data/secrets/jwt_public.pem',
      generateIfMissing: true,
    });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.totpEncryptionKey).toBeNull();
    expect(config.registrationMode).toBe('invite_only');
    expect(config.communityCreationMode).toBe('admin_only');
    expect(config.maxFileSizeMb).toBe(100);
    expect(config.uploadQuotaMb).toBe(500);
    expect(config.corsOrigins).toEqual(['tauri://localhost']);
    expect(config.trustedProxies).toEqual(['127.0.0.0/8', '::1/128']);
    expect(config.hsts).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable under the reference name', () => {
    const config = loadConfig(
      {
        DATABASE_URL: 'postgres://chatalot@db:5432/chatalot',
        LISTEN_ADDR: '[::]:9000',
        DATA_DIR: '/var/lib/chatalot',
        JWT_PRIVATE_KEY_PATH: '/run/secrets/jwt_private_key',
        JWT_PUBLIC_KEY_PATH: '/run/secrets/jwt_public_key',
        TOTP_ENCRYPTION_KEY: 'ab'.repeat(32),
        FILE_STORAGE_PATH: 'uploads',
        MAX_FILE_SIZE_MB: '25',
        UPLOAD_QUOTA_MB: '0',
        REGISTRATION_MODE: 'open',
        COMMUNITY_CREATION_MODE: 'anyone',
        ADMIN_USERNAME: 'alice',
        PUBLIC_URL: 'https://chat.example.org/',
        ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]',
        GIPHY_API_KEY: 'giphy',
        STATIC_FILES_PATH: './static',
        CORS_ORIGINS: 'https://chat.example.org, tauri://localhost',
        TRUSTED_PROXIES: '10.0.0.0/8,fd00::/8',
      },
      cwd,
    );
    expect(config.databaseUrl).toBe('postgres://chatalot@db:5432/chatalot');
    expect(config.listen).toEqual({ host: '::', port: 9000 });
    expect(config.jwt.generateIfMissing).toBe(false);
    expect(config.totpEncryptionKey).toEqual(Buffer.alloc(32, 0xab));
    expect(config.fileStoragePath).toBe(path.join(cwd, 'uploads'));
    expect(config.uploadQuotaMb).toBe(0);
    expect(config.communityCreationMode).toBe('open');
    expect(config.publicUrl).toBe('https://chat.example.org');
    expect(config.hsts).toBe(true);
    expect(config.iceServers).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
    expect(config.staticFilesPath).toBe('/srv/chatalot/static');
    expect(config.corsOrigins).toEqual(['https://chat.example.org', 'tauri://localhost']);
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', 'fd00::/8']);
  });

  it('accepts a base64 TOTP key of 32 bytes', () => {
    const key = Buffer.alloc(32, 7);
    expect(loadConfig({ TOTP_ENCRYPTION_KEY: key.toString('base64') }, cwd).totpEncryptionKey).toEqual(key);
  });

  it.each([
    ['DATABASE_URL', 'mysql://localhost/chat'],
    ['LISTEN_ADDR', '8080'],
    ['LISTEN_ADDR', 'localhost:99999'],
    ['TOTP_ENCRYPTION_KEY', ''],
    ['TOTP_ENCRYPTION_KEY', 'correct horse battery staple'],
    ['TOTP_ENCRYPTION_KEY', 'ab'.repeat(16)],
    ['MAX_FILE_SIZE_MB', 'lots'],
    ['MAX_FILE_SIZE_MB', '0'],
    ['MAX_FILE_SIZE_MB', '10001'],
    ['UPLOAD_QUOTA_MB', '-1'],
    ['REGISTRATION_MODE', 'everyone'],
    ['COMMUNITY_CREATION_MODE', 'nobody'],
    ['PUBLIC_URL', 'chat.example.org'],
    ['PUBLIC_URL', 'ftp://chat.example.org'],
    ['ICE_SERVERS', '[{"urls":'],
    ['ICE_SERVERS', '[{"username":"x"}]'],
    ['CORS_ORIGINS', 'https://ok.example.org,*'],
    ['TRUSTED_PROXIES', '10.0.0.0/33'],
    ['TRUSTED_PROXIES', 'proxy.local'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_POOL_SIZE', '0'],
  ])('rejects %s=%j with an error that names the variable', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable} `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('names the missing partner when only part of a group is set', () => {
    expect(configError({ VAPID_PRIVATE_KEY: 'x' }).variable).toBe('VAPID_PUBLIC_KEY');
    expect(configError({ GITHUB_API_TOKEN: 't', GITHUB_REPO_OWNER: 'o' }).variable).toBe('GITHUB_REPO_NAME');
  });

  it('checks VAPID key sizes', () => {
    const publicKey = Buffer.alloc(65, 4).toString('base64url');
    expect(configError({ VAPID_PRIVATE_KEY: 'short', VAPID_PUBLIC_KEY: publicKey }).variable).toBe(
      'VAPID_PRIVATE_KEY',
    );
    const config = loadConfig(
      { VAPID_PRIVATE_KEY: Buffer.alloc(32, 1).toString('base64url'), VAPID_PUBLIC_KEY: publicKey },
      cwd,
    );
    expect(config.vapid?.publicKey).toBe(publicKey);
  });
});
