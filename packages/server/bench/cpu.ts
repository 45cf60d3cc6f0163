import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU accounting for the benchmarks from /proc: a server process, the PostgreSQL processes working for one
 * database, this load generator and the whole machine, so that every figure says who burnt the cycles.
 */
/** utime and stime of a process in clock ticks, or 0 when it is gone. */
export function userSystemTicks(pid: number | string): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]), system: Number(fields[12]) };
  } catch {
    return { user: 0, system: 0 };
  }
}

export function cpuTicks(pid: number | string): number {
  const { user, system } = userSystemTicks(pid);
  return user + system;
}

/**
 * CPU ticks by pid of the `postgres` processes on this host that work for this run: the backends of `dbName`
 * and the shared auxiliary processes (WAL writer, checkpointer, …), not the backends of other databases.
 */
export function postgresTicks(dbName: string): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const otherBackend = /\(\d+\)/.test(title) && !title.includes(` ${dbName} `);
      if (!otherBackend) ticks.set(pid, cpuTicks(pid));
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/**
 * Busy and total ticks of the whole machine (all cores) from /proc/stat, and the part spent in interrupts
 * (loopback TCP is processed there; no process is charged for it).
 */
export function machineTicks(): { busy: number; total: number; interrupts: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total, interrupts: (values[5] ?? 0) + (values[6] ?? 0) };
}

export function clockTicksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
}

export interface CpuSample {
  at: number;
  server: number;
  serverSystem: number;
  postgres: Map<string, number>;
  self: NodeJS.CpuUsage;
  machine: { busy: number; total: number; interrupts: number };
}

export function sampleCpu(serverPid: number, dbName: string): CpuSample {
  return {
    at: performance.now(),
    server: cpuTicks(serverPid),
    serverSystem: userSystemTicks(serverPid).system,
    postgres: postgresTicks(dbName),
    self: process.cpuUsage(),
    machine: machineTicks(),
  };
}

/** Percent of one core used between two samples by the server, PostgreSQL, this process and the machine. */
export function cpuBetween(before: CpuSample, after: CpuSample, hz: number) {
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks: number) => (ticks / hz / seconds) * 100;
  let postgres = 0;
  for (const [pid, ticks] of after.postgres) postgres += ticks - (before.postgres.get(pid) ?? 0);
  const self = process.cpuUsage(before.self);
  const machineTotal = after.machine.total - before.machine.total;
  const cores = machineTotal / hz / seconds;
  const server = pct(after.server - before.server);
  const bench = ((self.user + self.system) / 1e6 / seconds) * 100;
  const machine =
    machineTotal > 0 ? ((after.machine.busy - before.machine.busy) / machineTotal) * cores * 100 : 0;
  const interrupts =
    machineTotal > 0
      ? ((after.machine.interrupts - before.machine.interrupts) / machineTotal) * cores * 100
      : 0;
  const other = Math.max(0, machine - server - pct(postgres) - bench - interrupts);
  const serverSystem = pct(after.serverSystem - before.serverSystem);
  return { server, serverSystem, postgres: pct(postgres), bench, interrupts, machine, other, cores };
}
