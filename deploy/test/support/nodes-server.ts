import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { exitOf, freePort } from '../../../packages/server/test/server-process.js';

/** What `npm start` runs; the deploy project's global setup builds it. */
const serverMain = path.resolve(import.meta.dirname, '../../../packages/server/dist/main.js');

export interface CompiledServer {
  port: number;
  /** Straight to the process, past any proxy. */
  baseUrl: string;
  output(): string;
  exited(): boolean;
  /** Sends `signal` (SIGKILL after 10 s) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The compiled server as its own process on a free loopback port, with only `env` (and PATH) set. */
export function spawnCompiledServer(env: Readonly<Record<string, string>>): Promise<CompiledServer> {
  return freePort().then((port) => {
    const child = spawn(process.execPath, [serverMain], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env, LISTEN_ADDR: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
    }
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (exited()) return child.exitCode;
      child.kill(signal);
      const exit = exitOf(child);
      if ((await Promise.race([exit, delay(10_000, 'late', { ref: false })])) === 'late')
        child.kill('SIGKILL');
      return exit;
    };
    return { port, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited, stop };
  });
}

/** Resolves once the server logs that it listens; fails (and kills it) if it exits or takes over 45 s. */
export async function untilListening(server: CompiledServer): Promise<CompiledServer> {
  const deadline = Date.now() + 45_000;
  while (!server.output().includes('Chatalot is listening')) {
    if (server.exited() || Date.now() > deadline) {
      await server.stop('SIGKILL');
      throw new Error(`the server did not start:\n${server.output()}`);
    }
    await delay(50);
  }
  return server;
}

/** Spawns and waits for the server to listen. */
export async function startCompiledServer(env: Readonly<Record<string, string>>): Promise<CompiledServer> {
  return untilListening(await spawnCompiledServer(env));
}
