import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const serverDir = path.resolve(import.meta.dirname, '..');

export interface RunningServer {
  baseUrl: string;
  output: () => string;
  /** Sends a signal and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Runs `src/main.ts` as a real process, the way `npm start` runs the compiled one. */
export function spawnServer(env: Record<string, string>): ChildProcess & { text: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts'], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return Object.assign(child, { text: () => text });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const child = spawnServer({ LISTEN_ADDR: `127.0.0.1:${port}`, ...env });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilListening(child, child.text);
  return {
    baseUrl,
    output: child.text,
    stop: async (signal = 'SIGTERM') => {
      const started = Date.now();
      child.kill(signal);
      const code = await exitOf(child);
      return { code, ms: Date.now() - started };
    },
  };
}

export async function waitUntilListening(child: ChildProcess, text: () => string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!text().includes('Chatalot is listening')) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${text()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in time:\n${text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
