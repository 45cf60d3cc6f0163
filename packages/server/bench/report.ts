import { appendFileSync } from 'node:fs';

/** A target a figure should meet: at most or at least `value`. */
export interface Target {
  atMost?: number;
  atLeast?: number;
}

/** One line of a benchmark's result, e.g. `{ metric: 'p99 ack', value: 41.2, unit: 'ms', target: { atMost: 50 } }`. */
export interface Measurement {
  metric: string;
  value: number;
  unit: string;
  target?: Target;
}

export interface BenchResult {
  name: string;
  measurements: Measurement[];
  /** Conditions worth knowing next to the figures (load generator CPU, what limited the run, …). */
  notes: string[];
}

export function meets(measurement: Measurement): boolean | null {
  const { target, value } = measurement;
  if (!target) return null;
  if (target.atMost !== undefined && !(value <= target.atMost)) return false;
  if (target.atLeast !== undefined && !(value >= target.atLeast)) return false;
  return true;
}

export function formatTarget(target: Target | undefined, unit: string): string {
  if (!target) return '';
  const parts: string[] = [];
  if (target.atLeast !== undefined) parts.push(`≥ ${target.atLeast} ${unit}`);
  if (target.atMost !== undefined) parts.push(`≤ ${target.atMost} ${unit}`);
  return parts.join(', ');
}

/**
 * Hands a benchmark's figures to the runner (`bench/run.ts` at the repository root), which collects them into one
 * table and bench/RESULTS.md: one JSON line appended to BENCH_RESULT_FILE. Run on its own, the figures are
 * printed instead.
 */
export function report(result: BenchResult): void {
  const file = process.env.BENCH_RESULT_FILE;
  if (file) {
    appendFileSync(file, `${JSON.stringify(result)}\n`);
    return;
  }
  for (const m of result.measurements) {
    const verdict = meets(m);
    const mark = verdict === null ? '' : verdict ? '  ok' : '  MISSED';
    console.log(
      `${result.name}  ${m.metric}: ${m.value} ${m.unit}  ${formatTarget(m.target, m.unit)}${mark}`,
    );
  }
  for (const note of result.notes) console.log(`${result.name}  note: ${note}`);
}
