import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  allOrNone,
  ConfigError,
  commaList,
  type Env,
  httpUrl,
  integerInRange,
  oneOf,
  optionalString,
  stringWithDefault,
} from './platform/env-vars.js';

export { ConfigError } from './platform/env-vars.js';

const iceServers = z.array(
  z.object({
    urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    username: z.string().optional(),
    credential: z.string().optional(),
  }),
);
export type IceServer = z.infer<typeof iceServers>[number];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  dataDir: string;
  /** null selects the embedded database (PGlite) in `dataDir/db`. */
  databaseUrl: string | null;
  databasePoolSize: number;
  /** Set when several server processes share state and fan-out through Redis; null for one process. */
  redis: { url: string; prefix: string } | null;
  listen: { host: string; port: number };
  jwt: { privateKeyPath: string; publicKeyPath: string; generateIfMissing: boolean };
  /** 32 raw bytes; null means "load or generate `dataDir/secrets/totp_encryption_key`". */
  totpEncryptionKey: Buffer | null;
  fileStoragePath: string;
  maxFileSizeMb: number;
  uploadQuotaMb: number;
  registrationMode: 'open' | 'invite_only' | 'closed';
  communityCreationMode: 'open' | 'admin_only';
  adminUsername: string | null;
  publicUrl: string | null;
  iceServers: IceServer[];
  vapid: { privateKey: string; publicKey: string } | null;
  github: { token: string; owner: string; repo: string } | null;
  giphyApiKey: string | null;
  staticFilesPath: string;
  corsOrigins: string[];
  trustedProxies: string[];
  /** Send HSTS only when the instance is served over TLS. */
  hsts: boolean;
  logLevel: LogLevel;
}

const serverPackageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultStaticPath = path.resolve(serverPackageDir, '../web/build');
const loopback = ['127.0.0.0/8', '::1/128'];

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Readonly<Config> {
  const dataDir = path.resolve(cwd, stringWithDefault(env, 'DATA_DIR', './data'));
  const publicUrl = httpUrl(env, 'PUBLIC_URL');
  const vapid = allOrNone(env, ['VAPID_PRIVATE_KEY', 'VAPID_PUBLIC_KEY']);
  const github = allOrNone(env, ['GITHUB_API_TOKEN', 'GITHUB_REPO_OWNER', 'GITHUB_REPO_NAME']);
  const config: Config = {
    dataDir,
    databaseUrl: parseDatabaseUrl(env),
    databasePoolSize: integerInRange(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    redis: parseRedis(env),
    listen: parseListenAddr(stringWithDefault(env, 'LISTEN_ADDR', '0.0.0.0:8080')),
    jwt: parseJwtPaths(env, dataDir, cwd),
    totpEncryptionKey: parseTotpKey(optionalKeyVar(env, 'TOTP_ENCRYPTION_KEY')),
    fileStoragePath: path.resolve(
      cwd,
      stringWithDefault(env, 'FILE_STORAGE_PATH', path.join(dataDir, 'files')),
    ),
    maxFileSizeMb: integerInRange(env, 'MAX_FILE_SIZE_MB', 100, 1, 10_000),
    uploadQuotaMb: integerInRange(env, 'UPLOAD_QUOTA_MB', 500, 0, 100_000),
    registrationMode: oneOf(env, 'REGISTRATION_MODE', 'invite_only', ['open', 'invite_only', 'closed']),
    communityCreationMode: oneOf(env, 'COMMUNITY_CREATION_MODE', 'admin_only', ['open', 'admin_only'], {
      anyone: 'open',
    }),
    adminUsername: optionalString(env, 'ADMIN_USERNAME'),
    publicUrl: publicUrl ? publicUrl.origin + publicUrl.pathname.replace(/\/$/, '') : null,
    iceServers: parseIceServers(optionalString(env, 'ICE_SERVERS')),
    vapid: vapid && parseVapid(vapid.VAPID_PRIVATE_KEY, vapid.VAPID_PUBLIC_KEY),
    github: github && {
      token: github.GITHUB_API_TOKEN,
      owner: github.GITHUB_REPO_OWNER,
      repo: github.GITHUB_REPO_NAME,
    },
    giphyApiKey: optionalString(env, 'GIPHY_API_KEY'),
    staticFilesPath: path.resolve(cwd, stringWithDefault(env, 'STATIC_FILES_PATH', defaultStaticPath)),
    corsOrigins: parseCorsOrigins(commaList(env, 'CORS_ORIGINS', ['tauri://localhost'])),
    trustedProxies: parseTrustedProxies(commaList(env, 'TRUSTED_PROXIES', loopback)),
    hsts: publicUrl?.protocol === 'https:',
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  };
  return Object.freeze(config);
}

/** Unlike the other readers, an empty TOTP key is an error, not "unset" (the reference accepted ""). */
function optionalKeyVar(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined) return null;
  if (raw.trim() === '') throw new ConfigError(name, 'is set but empty; unset it to have one generated');
  return raw.trim();
}

function parseDatabaseUrl(env: Env): string | null {
  const raw = optionalString(env, 'DATABASE_URL');
  if (raw === null) return null;
  if (!/^postgres(ql)?:\/\/./.test(raw)) {
    throw new ConfigError(
      'DATABASE_URL',
      'must be a postgres:// or postgresql:// URL (unset it for the embedded database)',
    );
  }
  try {
    new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a valid URL');
  }
  return raw;
}

function parseRedis(env: Env): Config['redis'] {
  const url = optionalString(env, 'REDIS_URL');
  if (url === null) return null;
  if (!/^rediss?:\/\/./.test(url)) throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  const prefix = stringWithDefault(env, 'REDIS_PREFIX', 'chatalot:');
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(prefix)) {
    throw new ConfigError('REDIS_PREFIX', 'must be 1-64 letters, digits or :_.-');
  }
  return { url, prefix };
}

function parseListenAddr(raw: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65_535) {
    throw new ConfigError('LISTEN_ADDR', `must look like 0.0.0.0:8080 or [::]:8080 (got "${raw}")`);
  }
  return { host, port };
}

function parseJwtPaths(env: Env, dataDir: string, cwd: string): Config['jwt'] {
  const privateKeyPath = optionalString(env, 'JWT_PRIVATE_KEY_PATH');
  const publicKeyPath = optionalString(env, 'JWT_PUBLIC_KEY_PATH');
  return {
    privateKeyPath: path.resolve(cwd, privateKeyPath ?? path.join(dataDir, 'secrets', 'jwt_private.pem')),
    publicKeyPath: path.resolve(cwd, publicKeyPath ?? path.join(dataDir, 'secrets', 'jwt_public.pem')),
    generateIfMissing: privateKeyPath === null,
  };
}

/** Accepts 64 hex characters or base64/base64url text that decodes to exactly 32 bytes. */
export function parseTotpKey(raw: string | null): Buffer | null {
  if (raw === null) return null;
  const key = /^[0-9a-fA-F]{64}$/.test(raw)
    ? Buffer.from(raw, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw)
      ? Buffer.from(raw, 'base64')
      : null;
  if (key?.length !== 32) {
    throw new ConfigError(
      'TOTP_ENCRYPTION_KEY',
      'must be 32 bytes written as 64 hex characters or base64 (generate one with: openssl rand -hex 32)',
    );
  }
  return key;
}

function parseIceServers(raw: string | null): IceServer[] {
  if (raw === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'ICE_SERVERS',
      'is not valid JSON (expected an array of {urls, username?, credential?})',
    );
  }
  const result = iceServers.safeParse(parsed);
  if (!result.success) {
    throw new ConfigError('ICE_SERVERS', 'must be a JSON array of {urls, username?, credential?}');
  }
  return result.data;
}

function parseVapid(privateKey: string, publicKey: string): Config['vapid'] {
  if (base64UrlLength(privateKey) !== 32) {
    throw new ConfigError('VAPID_PRIVATE_KEY', 'must be a URL-safe base64 P-256 private key (32 bytes)');
  }
  if (base64UrlLength(publicKey) !== 65) {
    throw new ConfigError(
      'VAPID_PUBLIC_KEY',
      'must be a URL-safe base64 uncompressed P-256 public key (65 bytes)',
    );
  }
  return { privateKey, publicKey };
}

function base64UrlLength(value: string): number {
  return /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

function parseCorsOrigins(origins: string[]): string[] {
  for (const origin of origins) {
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `has an entry that is not an origin like https://chat.example.org: "${origin}"`,
      );
    }
  }
  return origins;
}

function parseTrustedProxies(entries: string[]): string[] {
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk) {
      throw new ConfigError(
        'TRUSTED_PROXIES',
        `has an entry that is not an IP address or CIDR range: "${entry}"`,
      );
    }
  }
  return entries;
}
