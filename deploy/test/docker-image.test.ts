import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/server/test/server-process.js';
import {
  asList,
  asMap,
  execForm,
  type Instruction,
  interpolate,
  readCompose,
  readDockerfile,
  readEnvFile,
  repoRoot,
  runtimeStage,
  stageEnvironment,
} from './support/image-files.js';
import { cleanUp, createDatabase, startProcess, untilListening } from './support/production-process.js';

const run = promisify(execFile);
/** The image's user stands in as `nobody` here, so the server runs without write access to the app tree. */
const nobody = 65534;
const devTooling = [
  'typescript',
  'tsx',
  'vitest',
  'vite',
  'svelte',
  '@sveltejs/kit',
  '@biomejs/biome',
  'esbuild',
  'playwright-core',
];

const dockerfile = readDockerfile();
const image = runtimeStage(dockerfile);
const instruction = (keyword: string, stage: Instruction[] = image) =>
  stage.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('the Docker image, built and started the way the Dockerfile does, without Docker', () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'chatalot-image-'));
    chmodSync(work, 0o755);
  });
  afterAll(async () => {
    await cleanUp();
    rmSync(work, { recursive: true, force: true });
  });

  it('has no dev tooling, runs as a user that can write only its data, serves the client and tells a database outage', async () => {
    const appDir = await buildImageTree(work);
    for (const name of devTooling)
      expect(existsSync(path.join(appDir, 'node_modules', name)), name).toBe(false);
    expect(existsSync(path.join(appDir, 'node_modules/@node-rs/argon2'))).toBe(true);
    expect(existsSync(path.join(appDir, 'packages/server/src'))).toBe(false);

    const database = createDatabase();
    const port = await freePort();
    const env = {
      ...containerEnvironment(work, appDir),
      DATABASE_URL: database.url,
      LISTEN_ADDR: `127.0.0.1:${port}`,
    };
    const asImageUser = process.getuid?.() === 0 ? { uid: nobody } : {};
    const command = execForm(instruction('CMD')[0] ?? '');
    const server = startProcess(withNode(command), { cwd: appDir, env, ...asImageUser });
    const [checker = '', ...checkArgs] = withNode(execForm(instruction('HEALTHCHECK')[0] ?? ''));
    const healthcheck = () =>
      run(checker, checkArgs, { cwd: appDir, env, timeout: 30_000 }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    try {
      await untilListening(server);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', db_healthy: true });
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toMatch(/^<!doctype html>/i);
      expect(await healthcheck()).toBe(0);

      database.drop();
      expect(await healthcheck()).toBe(1);
    } finally {
      await server.stop();
      database.drop();
    }
  }, 300_000);
});

/** A clean clone's files (uncommitted work included), then the Dockerfile's build step into /app. */
async function buildImageTree(work: string): Promise<string> {
  const source = path.join(work, 'src');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot })
    .toString()
    .split('\0')
    .filter((file) => file !== '' && existsSync(path.join(repoRoot, file)));
  for (const file of files) cpSync(path.join(repoRoot, file), path.join(source, file));

  const buildStage = dockerfile.slice(0, dockerfile.indexOf(image[0] as Instruction));
  const buildStep = instruction('RUN', buildStage).find((args) => args.includes('scripts/docker/build.sh'));
  const outDir = /scripts\/docker\/build\.sh\s+(\S+)/.exec(buildStep ?? '')?.[1];
  expect(outDir, 'the build stage runs scripts/docker/build.sh OUT_DIR').toBeDefined();
  expect(instruction('COPY')).toContain(`--from=build ${outDir} /app`);
  expect(instruction('WORKDIR')).toEqual(['/app']);

  const appDir = path.join(work, 'app');
  await run('sh', ['scripts/docker/build.sh', appDir], { cwd: source, maxBuffer: 64 * 1024 * 1024 });
  expect(instruction('RUN'), 'only the data directory belongs to the image user').toEqual([
    'mkdir -p /app/data && chown node:node /app/data',
  ]);
  mkdirSync(path.join(appDir, 'data'));
  if (process.getuid?.() === 0) chownSync(path.join(appDir, 'data'), nobody, nobody);
  return appDir;
}

/**
 * The app container's environment: the image's ENV, then the compose file's, interpolated from the `.env`
 * that generate-secrets.sh makes, with container paths mapped to this machine (secrets as compose mounts them).
 */
function containerEnvironment(work: string, appDir: string): Record<string, string> {
  const hostDir = path.join(work, 'host');
  const owner = process.getuid?.() === 0 ? ['--owner', `${nobody}:${nobody}`] : [];
  execFileSync(path.join(repoRoot, 'scripts/generate-secrets.sh'), [...owner, hostDir], { stdio: 'ignore' });
  const dotEnv = readEnvFile(path.join(hostDir, '.env'));
  const compose = readCompose();
  const app = asMap(asMap(compose.services).chatalot);
  const mounts = Object.entries(asMap(compose.secrets)).map(([name, secret]) => ({
    from: `/run/secrets/${name}`,
    to: path.resolve(hostDir, String(asMap(secret).file)),
  }));
  const toHost = (value: string) =>
    mounts.reduce((text, { from, to }) => text.replace(from, to), value).replace(/^\/app(?=\/|$)/, appDir);
  const composeEnv = Object.entries(asMap(app.environment)).map(([name, value]) => [
    name,
    toHost(interpolate(String(value ?? ''), dotEnv)),
  ]);
  const imageEnv = Object.entries(stageEnvironment(image)).map(([name, value]) => [name, toHost(value)]);
  return Object.fromEntries([...imageEnv, ...composeEnv]);
}

function withNode(command: string[]): string[] {
  expect(command[0]).toBe('node');
  return [process.execPath, ...command.slice(1)];
}

describe('multi-arch', () => {
  interface LockEntry {
    os?: string[];
    cpu?: string[];
    libc?: string[];
    dev?: boolean;
    optionalDependencies?: Record<string, string>;
  }
  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const entry = (name: string) => lock.packages[`node_modules/${name}`];
  const forLinux = (variant: LockEntry | undefined, cpu: string) =>
    variant?.os?.includes('linux') &&
    variant.cpu?.includes(cpu) &&
    (variant.libc === undefined || variant.libc.includes('glibc'));
  /** Packages that pick a prebuilt binary per platform, with their variants. */
  const nativeFamilies = Object.entries(lock.packages)
    .map(([key, pkg]) => ({
      name: key.replace(/^.*node_modules\//, ''),
      runtime: !pkg.dev,
      variants: Object.keys(pkg.optionalDependencies ?? {})
        .map(entry)
        .filter((variant) => variant?.os || variant?.cpu),
    }))
    .filter(({ variants }) => variants.some((variant) => forLinux(variant, 'x64')));

  it('every native dependency, build-time or runtime, ships a linux-arm64 (glibc) build in the lock', () => {
    expect(nativeFamilies.filter((family) => family.runtime).map((family) => family.name)).toContain(
      '@node-rs/argon2',
    );
    const withoutArm64 = nativeFamilies.filter(({ variants }) => !variants.some((v) => forLinux(v, 'arm64')));
    expect(withoutArm64.map((family) => family.name)).toEqual([]);
  });

  it('no runtime dependency compiles at install time, and every stage is on a multi-arch base image', () => {
    const compiling = Object.entries(lock.packages).filter(
      ([, pkg]) => !pkg.dev && (pkg as { hasInstallScript?: boolean }).hasInstallScript,
    );
    expect(compiling.map(([key]) => key)).toEqual([]);
    const bases = instruction('FROM', dockerfile);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^node:20-bookworm-slim(\s+AS\s+\w+)?$/);
  });
});

describe('docker-compose.yml', () => {
  const compose = readCompose();
  const services = asMap(compose.services);
  const service = (name: string) => asMap(services[name]);
  const profilesOf = (name: string) => (service(name).profiles ? asList(service(name).profiles) : []);

  it('publishes only port 8080, keeps PostgreSQL on an internal network and starts the app once it is healthy', () => {
    const published = Object.keys(services).flatMap((name) =>
      service(name).ports ? asList(service(name).ports) : [],
    );
    expect(published).toEqual(['8080:8080']);
    const postgres = service('postgres');
    expect(asList(postgres.networks)).toEqual(['internal']);
    expect(asMap(asMap(compose.networks).internal).internal).toBe('true');
    expect(asList(asMap(postgres.healthcheck).test).join(' ')).toContain('pg_isready');
    expect(asMap(asMap(service('chatalot').depends_on).postgres).condition).toBe('service_healthy');
  });

  it('passes secrets at run time only: JWT keys as compose secrets, the rest from .env, nothing in the image', () => {
    const app = service('chatalot');
    expect(asList(app.secrets)).toEqual(['jwt_private_key', 'jwt_public_key']);
    expect(asMap(app.environment)).toMatchObject({
      JWT_PRIVATE_KEY_PATH: '/run/secrets/jwt_private_key',
      JWT_PUBLIC_KEY_PATH: '/run/secrets/jwt_public_key',
    });
    expect(asMap(asMap(compose.secrets).jwt_private_key).file).toBe('./secrets/jwt_private.pem');
    expect(Object.values(services).some((s) => 'env_file' in asMap(s))).toBe(false);
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'secrets', 'data']));
    expect(
      Object.keys(stageEnvironment(image)).filter((name) => /KEY|SECRET|PASSWORD|TOKEN/.test(name)),
    ).toEqual([]);
    expect(instruction('USER')).toEqual(['node']);
  });

  it('resolves with the .env from generate-secrets.sh, and without it names the script', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatalot-compose-'));
    try {
      execFileSync(path.join(repoRoot, 'scripts/generate-secrets.sh'), [dir], { stdio: 'ignore' });
      const text = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
      expect(interpolate(text, readEnvFile(path.join(dir, '.env')))).not.toContain('${');
      expect(() => interpolate(text, {})).toThrow(/DB_PASSWORD.*generate-secrets\.sh/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the redis profile adds Redis and a second app node that uses it; the default start needs neither', () => {
    const inProfile = Object.keys(services).filter((name) => profilesOf(name).includes('redis'));
    expect(inProfile.sort()).toEqual(['chatalot-2', 'redis']);
    const second = service('chatalot-2');
    const { REDIS_URL, ...shared } = asMap(second.environment);
    expect(REDIS_URL).toBe('redis://redis:6379');
    const { REDIS_URL: _first, ...firstShared } = asMap(service('chatalot').environment);
    expect(shared).toEqual(firstShared);
    expect(asList(service('redis').networks)).toEqual(['internal']);
    // Compose interpolates every service before it applies profiles: a variable required only there would
    // stop a plain `docker compose up`.
    const required = (names: string[]) =>
      new Set(
        names.flatMap((name) =>
          [...JSON.stringify(service(name)).matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]),
        ),
      );
    const always = required(Object.keys(services).filter((name) => profilesOf(name).length === 0));
    expect([...required(inProfile)].filter((name) => !always.has(name))).toEqual([]);
  });
});
