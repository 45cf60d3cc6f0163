import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Start-up time and idle memory of the compiled server (`npm start`), on the embedded database
 * (first start with a new data directory, then a restart) and on PostgreSQL when BENCH_DATABASE_URL
 * (an admin URL; a throwaway database is created) is set.
 */
const serverDir = path.resolve(import.meta.dirname, '..');
const mainJs = path.join(serverDir, 'dist/main.js');
const IDLE_MS = 3_000;

interface Sample {
  label: string;
  startupMs: number;
  idleRssMb: number;
}

async function measure(label: string, env: Record<string, string>): Promise<Sample> {
  const started = performance.now();
  const child = spawn(process.execPath, [mainJs], {
    env: { PATH: process.env.PATH ?? '', LISTEN_ADDR: '127.0.0.1:0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await listening(child);
  const startupMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const idleRssMb = rssMb(child.pid ?? 0);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return { label, startupMs: Math.round(startupMs), idleRssMb: Math.round(idleRssMb * 10) / 10 };
}

function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Chatalot is listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function withThrowawayDatabase<T>(adminUrl: string, use: (url: string) => Promise<T>): Promise<T> {
  const name = `chatalot_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await use(url.toString());
  } finally {
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatalot-bench-'));
  const samples: Sample[] = [];
  try {
    samples.push(await measure('embedded, first start (creates the database)', { DATA_DIR: dataDir }));
    samples.push(await measure('embedded, restart', { DATA_DIR: dataDir }));
    const adminUrl = process.env.BENCH_DATABASE_URL;
    if (adminUrl) {
      await withThrowawayDatabase(adminUrl, async (url) => {
        samples.push(
          await measure('postgres, first start (migrates)', { DATA_DIR: dataDir, DATABASE_URL: url }),
        );
        samples.push(await measure('postgres, restart', { DATA_DIR: dataDir, DATABASE_URL: url }));
      });
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  for (const sample of samples) {
    console.log(
      `${sample.label.padEnd(46)} start ${String(sample.startupMs).padStart(5)} ms   idle RSS ${sample.idleRssMb} MB`,
    );
  }
}

await main();
