/** Small readers for environment variables; each failure names the variable and what is wrong. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export function optionalString(env: Env, name: string): string | null {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value.trim();
}

export function stringWithDefault(env: Env, name: string, fallback: string): string {
  return optionalString(env, name) ?? fallback;
}

export function integerInRange(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optionalString(env, name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw))
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got ${value})`);
  }
  return value;
}

export function oneOf<const T extends string>(
  env: Env,
  name: string,
  fallback: T,
  allowed: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): T {
  const raw = optionalString(env, name);
  if (raw === null) return fallback;
  const value = aliases[raw] ?? raw;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
}

export function commaList(env: Env, name: string, fallback: readonly string[]): string[] {
  const raw = optionalString(env, name);
  if (raw === null) return [...fallback];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function httpUrl(env: Env, name: string): URL | null {
  const raw = optionalString(env, name);
  if (raw === null) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http:// or https:// URL (got "${raw}")`);
  }
  return url;
}

/** All of a set of variables or none of them; returns null when none is set. */
export function allOrNone<const K extends string>(env: Env, names: readonly K[]): Record<K, string> | null {
  const values = names.map((name) => optionalString(env, name));
  const present = values.filter((value) => value !== null).length;
  if (present === 0) return null;
  const missing = names.find((_, index) => values[index] === null);
  if (missing !== undefined) {
    throw new ConfigError(
      missing,
      `must be set together with ${names.filter((n) => n !== missing).join(' and ')}`,
    );
  }
  return Object.fromEntries(names.map((name, index) => [name, values[index]])) as Record<K, string>;
}
