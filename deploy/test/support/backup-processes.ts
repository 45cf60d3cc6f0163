import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitUntilListening } from '../../../packages/server/test/server-process.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
const serverDist = path.join(repoRoot, 'packages/server/dist');
const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const run = promisify(execFile);

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (at most two minutes) without throwing on a non-zero exit. */
export async function runCommand(
  file: string,
  args: string[],
  env: Record<string, string>,
): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

/** `chatalot export|import …` as an operator runs it: the compiled CLI. */
export const chatalot = (args: string[], env: Record<string, string>) =>
  runCommand(process.execPath, [path.join(serverDist, 'cli.js'), ...args], env);

export const script = (name: string, args: string[], env: Record<string, string>) =>
  runCommand('bash', [path.join(repoRoot, 'scripts', name), ...args], env);

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createDatabase(): Promise<ThrowawayDatabase> {
  const name = `chatalot_h7_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(`create database ${name}`);
  return {
    url: `postgres://postgres@127.0.0.1:5432/${name}`,
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function temporaryDir(cleanups: Array<() => unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatalot-h7-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface CompiledServer {
  baseUrl: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/** The compiled server (`node packages/server/dist/main.js`), as a self-hoster runs it. */
export async function startCompiledServer(env: Record<string, string>): Promise<CompiledServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(serverDist, 'main.js')], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', LISTEN_ADDR: `127.0.0.1:${port}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const collect = (chunk: Buffer) => {
    text += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  await waitUntilListening(child, () => text);
  return { baseUrl: `http://127.0.0.1:${port}`, output: () => text, stop: () => stop(child) };
}

function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}
