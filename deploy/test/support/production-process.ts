import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const databases = new Set<string>();

/** An empty PostgreSQL database for one test, dropped (with its connections) by `drop`. */
export function createDatabase(): { url: string; drop: () => void } {
  const name = `chatalot_deploy_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  psql(`create database ${name}`);
  databases.add(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(name) };
}

function dropDatabase(name: string): void {
  psql(`drop database if exists ${name} with (force)`);
  databases.delete(name);
}

function psql(statement: string): void {
  execFileSync('psql', [adminUrl, '-qc', statement], { stdio: 'ignore' });
}

const running = new Set<ProductionProcess>();

/** For afterAll: stops the processes and drops the databases that a test which timed out left behind. */
export async function cleanUp(): Promise<void> {
  await Promise.all([...running].map((process) => process.stop()));
  for (const name of [...databases]) dropDatabase(name);
}

export interface ProductionProcess {
  output(): string;
  exited(): Promise<number | null>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** Runs `command` with exactly `env` (plus PATH); as `uid` when given (the test must then run as root). */
export function startProcess(
  command: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string>>; uid?: number },
): ProductionProcess {
  const [file = '', ...args] = command;
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  }
  const exit = exitOf(child);
  const handle: ProductionProcess = {
    output: () => output,
    exited: () => exit,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if ((await Promise.race([exit, delay(10_000, 'late')])) === 'late') child.kill('SIGKILL');
        await exit;
      }
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
}

/** Resolves once the server says it listens; throws with its output if it exits first or takes over 60 s. */
export async function untilListening(server: ProductionProcess): Promise<void> {
  let exited = false;
  void server.exited().then(() => {
    exited = true;
  });
  const deadline = Date.now() + 60_000;
  while (!server.output().includes('Chatalot is listening')) {
    if (exited || Date.now() > deadline) {
      await server.stop();
      throw new Error(`the server did not start:\n${server.output()}`);
    }
    await delay(50);
  }
}
