export interface WorkloadResult {
  name: string;
  operations: number;
  opsPerSecond: number;
}

type Clock = () => number;

export function measure(
  name: string,
  now: Clock,
  count: number,
  step: (index: number) => void,
): WorkloadResult {
  const started = now();
  for (let index = 0; index < count; index += 1) step(index);
  return result(name, count, now() - started);
}

export async function measureAsync(
  name: string,
  now: Clock,
  count: number,
  step: (index: number) => Promise<void>,
): Promise<WorkloadResult> {
  const started = now();
  for (let index = 0; index < count; index += 1) await step(index);
  return result(name, count, now() - started);
}

function result(name: string, operations: number, elapsedMs: number): WorkloadResult {
  return { name, operations, opsPerSecond: Math.round(operations / (elapsedMs / 1000)) };
}
