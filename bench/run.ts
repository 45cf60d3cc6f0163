import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchResult, formatTarget, meets } from '../packages/server/bench/report.js';

/**
 * `npm run bench [-- <name>…] [--label before] [--server-dir <built checkout>/packages/server]`: builds the
 * server, runs the benchmarks one after another (each its own load-generator process, starting its own server
 * process), prints one table and appends it to bench/RESULTS.md with date and commit.
 *
 * On a machine with two or more CPUs the server is pinned to CPU 0 and the load generator to the others with
 * taskset, so that the two never take each other's core; PostgreSQL is not pinned (a shared service). Every
 * benchmark reports its own CPU next to the server's.
 */
const root = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(root, 'packages/server/bench');

interface Benchmark {
  file: string;
  /** Part of the default run (the six of the performance issue); the others only by name. */
  standard: boolean;
  /** Needs a built web client or other packages: the command to run instead of a server bench file. */
  command?: string[];
}

const benchmarks: Record<string, Benchmark> = {
  fanout: { file: 'fanout.ts', standard: true },
  capacity: { file: 'capacity.ts', standard: true },
  send: { file: 'send.ts', standard: true },
  reconnect: { file: 'reconnect.ts', standard: true },
  history: { file: 'history-search.ts', standard: true },
  community: { file: 'community.ts', standard: true },
  startup: { file: 'startup.ts', standard: false },
  login: { file: 'login.ts', standard: false },
  crypto: { file: '', standard: false, command: ['npm', 'run', 'bench', '-w', '@chatalot/crypto'] },
};

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    label: { type: 'string', default: '' },
    'server-dir': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
});

function selected(): string[] {
  const unknown = positionals.filter((name) => !(name in benchmarks));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
  if (positionals.length > 0) return positionals;
  return Object.entries(benchmarks)
    .filter(([, bench]) => bench.standard)
    .map(([name]) => name);
}

function pinning(): { server: string; generator: string } | null {
  const count = cpus().length;
  if (count < 2 || !existsSync('/usr/bin/taskset')) return null;
  return { server: '0', generator: count === 2 ? '1' : `1-${count - 1}` };
}

function gitDescribe(dir: string): string {
  const git = (args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
  try {
    const commit = git(['rev-parse', '--short', 'HEAD']);
    return git(['status', '--porcelain']) === '' ? commit : `${commit} + uncommitted changes`;
  } catch {
    return 'unknown commit';
  }
}

async function runOne(name: string, resultFile: string, pins: ReturnType<typeof pinning>): Promise<string> {
  const bench = benchmarks[name] as Benchmark;
  const node = [process.execPath, '--import', 'tsx', '--conditions=source', path.join(benchDir, bench.file)];
  const base = bench.command ?? node;
  const command = pins && !bench.command ? ['taskset', '-c', pins.generator, ...base] : base;
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_RESULT_FILE: resultFile, BENCH_COMPILED: '1' };
  if (pins) env.BENCH_SERVER_CPUS = pins.server;
  if (flags['server-dir']) env.BENCH_SERVER_DIR = path.resolve(flags['server-dir']);
  console.log(`\n== ${name}: ${command.join(' ')}`);
  const child = spawn(command[0] as string, command.slice(1), { cwd: root, env, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return code === 0 ? '' : `${name} failed (exit ${code})`;
}

function table(results: BenchResult[], failures: string[]): string {
  const rows = ['| benchmark | metric | value | target | met |', '|---|---|---|---|---|'];
  for (const result of results) {
    for (const m of result.measurements) {
      const verdict = meets(m);
      const met = verdict === null ? '' : verdict ? 'yes' : '**no**';
      rows.push(
        `| ${result.name} | ${m.metric} | ${m.value} ${m.unit} | ${formatTarget(m.target, m.unit)} | ${met} |`,
      );
    }
  }
  const notes = results.flatMap((result) => result.notes.map((note) => `- ${result.name}: ${note}`));
  return [...rows, '', ...notes, ...failures.map((failure) => `- ${failure}`)].join('\n');
}

function heading(pins: ReturnType<typeof pinning>): string {
  const serverDir = flags['server-dir'] ? path.resolve(flags['server-dir']) : root;
  const label = flags.label ? ` · ${flags.label}` : '';
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const cpu = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`;
  const pinned = pins
    ? `server pinned to CPU ${pins.server}, load generator to CPU ${pins.generator}, PostgreSQL unpinned`
    : 'nothing pinned';
  return `## ${when} UTC · ${gitDescribe(serverDir)}${label}\n\n${cpu}, Node ${process.version}; ${pinned}.\n`;
}

async function main(): Promise<void> {
  const names = selected();
  if (!flags['no-build'])
    execFileSync('npm', ['run', 'build', '-w', '@chatalot/protocol', '-w', '@chatalot/server'], {
      cwd: root,
      stdio: 'inherit',
    });
  const pins = pinning();
  const scratch = mkdtempSync(path.join(tmpdir(), 'chatalot-bench-'));
  const resultFile = path.join(scratch, 'results.jsonl');
  const failures: string[] = [];
  try {
    for (const name of names) {
      const failure = await runOne(name, resultFile, pins);
      if (failure) failures.push(failure);
    }
    const results = existsSync(resultFile)
      ? readFileSync(resultFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as BenchResult)
      : [];
    const section = `${heading(pins)}\n${table(results, failures)}\n`;
    console.log(`\n${section}`);
    if (!flags['no-record']) appendFileSync(path.join(root, 'bench/RESULTS.md'), `\n${section}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (failures.length > 0) process.exitCode = 1;
}

await main();
