import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registrationBody } from '../../packages/server/test/factories.js';
import { freePort } from '../../packages/server/test/server-process.js';
import { readEnvFile, repoRoot } from './support/image-files.js';
import { cleanUp, createDatabase, startProcess, untilListening } from './support/production-process.js';

const generateSecrets = path.join(repoRoot, 'scripts/generate-secrets.sh');
const serverMain = path.join(repoRoot, 'packages/server/dist/main.js');

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'chatalot-production-'));
});
afterAll(async () => {
  await cleanUp();
  rmSync(work, { recursive: true, force: true });
});

function freshDir(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts the compiled server in `cwd` with exactly `env`, on PostgreSQL, and runs `use` against it. */
async function withServer(
  cwd: string,
  env: Record<string, string>,
  use: (baseUrl: string) => Promise<void>,
): Promise<void> {
  const database = createDatabase();
  const port = await freePort();
  const server = startProcess([process.execPath, serverMain], {
    cwd,
    env: { ...env, DATABASE_URL: database.url, LISTEN_ADDR: `127.0.0.1:${port}` },
  });
  try {
    await untilListening(server);
    await use(`http://127.0.0.1:${port}`);
  } finally {
    await server.stop();
    database.drop();
  }
}

async function post(
  url: string,
  body: unknown,
): Promise<{ status: number; body: { access_token?: string } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { access_token?: string } };
}

/** True when the JWT's EdDSA signature checks out against the PEM public key in `publicKeyFile`. */
function signedBy(token: string, publicKeyFile: string): boolean {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const key = createPublicKey(readFileSync(publicKeyFile));
  return verify(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
}

/** Registers and signs in one member; returns both access tokens. */
async function registerAndSignIn(baseUrl: string): Promise<string[]> {
  const body = registrationBody();
  const registered = await post(`${baseUrl}/api/auth/register`, body);
  expect(registered.status).toBe(200);
  const signedIn = await post(`${baseUrl}/api/auth/login`, {
    username: body.username,
    password: body.password,
  });
  expect(signedIn.status).toBe(200);
  return [registered.body.access_token ?? '', signedIn.body.access_token ?? ''];
}

function startFails(env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [serverMain], {
    cwd: freshDir(`failing-${Date.now()}`),
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

describe('scripts/generate-secrets.sh', () => {
  it('makes owner-only key files and a .env whose random values differ on every new directory', () => {
    const envs = ['one', 'two'].map((name) => {
      const dir = freshDir(`generated-${name}`);
      execFileSync(generateSecrets, [dir], { stdio: 'ignore' });
      for (const file of ['.env', 'secrets/jwt_private.pem', 'secrets/jwt_public.pem']) {
        expect(statSync(path.join(dir, file)).mode & 0o777, file).toBe(0o600);
      }
      return readEnvFile(path.join(dir, '.env'));
    });
    const [first = {}, second = {}] = envs;
    expect(first.TOTP_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(first.DB_PASSWORD).toMatch(/^[0-9a-f]{48}$/);
    expect(first.TOTP_ENCRYPTION_KEY).not.toBe(second.TOTP_ENCRYPTION_KEY);
    expect(first.DB_PASSWORD).not.toBe(second.DB_PASSWORD);
    expect(first.DB_PASSWORD).not.toBe(first.TOTP_ENCRYPTION_KEY?.slice(0, 48));
  });

  it('keeps what exists: a second run changes nothing', () => {
    const dir = freshDir('kept');
    execFileSync(generateSecrets, [dir], { stdio: 'ignore' });
    const before = ['.env', 'secrets/jwt_private.pem'].map((file) =>
      readFileSync(path.join(dir, file), 'utf8'),
    );
    execFileSync(generateSecrets, [dir], { stdio: 'ignore' });
    const after = ['.env', 'secrets/jwt_private.pem'].map((file) =>
      readFileSync(path.join(dir, file), 'utf8'),
    );
    expect(after).toEqual(before);
  });

  it('its .env alone runs the compiled server with its keys: tokens verify with the generated public key', async () => {
    const dir = freshDir('runs');
    execFileSync(generateSecrets, [dir], { stdio: 'ignore' });
    const env = { ...readEnvFile(path.join(dir, '.env')), REGISTRATION_MODE: 'open' };
    await withServer(dir, env, async (baseUrl) => {
      const tokens = await registerAndSignIn(baseUrl);
      for (const token of tokens)
        expect(signedBy(token, path.join(dir, 'secrets/jwt_public.pem'))).toBe(true);
    });
    // The configured keys were used, not keys generated into the data directory.
    expect(existsSync(path.join(dir, 'data/secrets/jwt_private.pem'))).toBe(false);
    expect(existsSync(path.join(dir, 'data/secrets/totp_encryption_key'))).toBe(false);
  });
});

describe('JWT keys', () => {
  it("accepts keys made the way the reference's script makes them", async () => {
    const dir = freshDir('reference-keys');
    const privateKey = path.join(dir, 'jwt_private.pem');
    const publicKey = path.join(dir, 'jwt_public.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'Ed25519', '-out', privateKey]);
    execFileSync('openssl', ['pkey', '-in', privateKey, '-pubout', '-out', publicKey]);
    const env = {
      JWT_PRIVATE_KEY_PATH: privateKey,
      JWT_PUBLIC_KEY_PATH: publicKey,
      REGISTRATION_MODE: 'open',
    };
    await withServer(dir, env, async (baseUrl) => {
      const [token = ''] = await registerAndSignIn(baseUrl);
      expect(signedBy(token, publicKey)).toBe(true);
    });
  });

  it('a public key from another pair, or a key that is not Ed25519, stops the server with one line', () => {
    const dir = freshDir('wrong-keys');
    for (const name of ['a', 'b']) execFileSync(generateSecrets, [path.join(dir, name)], { stdio: 'ignore' });
    const mismatched = startFails({
      JWT_PRIVATE_KEY_PATH: path.join(dir, 'a/secrets/jwt_private.pem'),
      JWT_PUBLIC_KEY_PATH: path.join(dir, 'b/secrets/jwt_public.pem'),
    });
    expect(mismatched.status).toBe(1);
    expect(mismatched.output).toMatch(
      /^chatalot: configuration error: JWT_PUBLIC_KEY_PATH does not match[^\n]*$/,
    );

    const ecKey = path.join(dir, 'p256.pem');
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      ecKey,
    ]);
    const notEd25519 = startFails({ JWT_PRIVATE_KEY_PATH: ecKey });
    expect(notEd25519.status).toBe(1);
    expect(notEd25519.output).toMatch(
      /^chatalot: configuration error: JWT_PRIVATE_KEY_PATH [^\n]*Ed25519[^\n]*$/,
    );
  });
});

describe('deploy/systemd/chatalot.service', () => {
  const unitFile = path.join(repoRoot, 'deploy/systemd/chatalot.service');
  const unit = readFileSync(unitFile, 'utf8');
  const settings = (name: string) =>
    [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((match) => (match[1] ?? '').trim());
  const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify without a warning', () => {
    const result = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8', cwd: work });
    expect(result.status).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.includes('chatalot.service'))).toEqual([]);
  });

  it('is hardened, restarts on failure and may write only its data directory', () => {
    for (const setting of [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'Restart=on-failure',
      'PrivateTmp=yes',
    ]) {
      expect(unit).toMatch(new RegExp(`^${setting}$`, 'm'));
    }
    const dataDir = settings('Environment')
      .find((value) => value.startsWith('DATA_DIR='))
      ?.slice(9);
    expect(settings('ReadWritePaths')).toEqual([dataDir]);
    expect(settings('MemoryMax')).toHaveLength(1);
    expect(settings('User')).toEqual(['chatalot']);
  });

  it('its ExecStart, with its environment and working directory mapped here, serves the compiled server', async () => {
    const [workingDirectory = ''] = settings('WorkingDirectory');
    const [environmentFile = ''] = settings('EnvironmentFile');
    const dataDir = freshDir('systemd-data');
    const secretsDir = freshDir('systemd-secrets');
    execFileSync(generateSecrets, [secretsDir], { stdio: 'ignore' });
    const mapPaths = (value: string) =>
      value
        .replace(/\/var\/lib\/chatalot/g, dataDir)
        .replace(new RegExp(`^${workingDirectory}(?=/|$)`), repoRoot);
    const unitEnv = settings('Environment').map((line) => line.split(/=(.*)/s).slice(0, 2).map(mapPaths));
    expect(environmentFile).toBe(`${workingDirectory}/.env`);
    const env = {
      ...Object.fromEntries(unitEnv),
      ...readEnvFile(path.join(secretsDir, '.env')),
      REGISTRATION_MODE: 'open',
    };
    const [executable = '', ...args] = (settings('ExecStart')[0] ?? '').split(/\s+/);
    expect(executable).toBe('/usr/bin/node');
    const database = createDatabase();
    const port = await freePort();
    const server = startProcess([process.execPath, ...args], {
      cwd: mapPaths(workingDirectory),
      env: { ...env, DATABASE_URL: database.url, LISTEN_ADDR: `127.0.0.1:${port}` },
    });
    try {
      await untilListening(server);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(await health.json()).toMatchObject({ db_healthy: true });
      expect(existsSync(path.join(dataDir, 'files'))).toBe(true);
    } finally {
      await server.stop();
      database.drop();
    }
  });
});
