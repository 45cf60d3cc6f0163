import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseYamlSubset, type YamlValue } from './yaml-subset.js';

/** The repository root, where the Dockerfile, the compose file and the scripts live. */
export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments left out. */
export function readDockerfile(): Instruction[] {
  const text = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of the last stage: what the image is. */
export function runtimeStage(instructions: Instruction[]): Instruction[] {
  const from = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  return instructions.slice(from);
}

/** `ENV A=1 B=2` lines of a stage, as a map. */
export function stageEnvironment(stage: Instruction[]): Record<string, string> {
  const pairs = stage.filter((i) => i.keyword === 'ENV').flatMap((i) => i.args.split(/\s+/));
  return Object.fromEntries(pairs.map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

/** The JSON (exec) form of a CMD, or of a HEALTHCHECK's CMD. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  return JSON.parse(json) as string[];
}

export type YamlMap = { [key: string]: YamlValue };

export function readCompose(): YamlMap {
  return asMap(parseYamlSubset(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')));
}

export function asMap(value: YamlValue | undefined): YamlMap {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`expected a map, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function asList(value: YamlValue | undefined): YamlValue[] {
  if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
  return value;
}

/** Compose's `${NAME}`, `${NAME:-default}`, `${NAME-default}` and `${NAME:?error}` against `.env` values. */
export function interpolate(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(\w+)(?:(:?)([-?])([^}]*))?\}/g, (_, name: string, colon, kind, operand) => {
    const value = env[name];
    const missing = value === undefined || (colon === ':' && value === '');
    if (!missing) return value;
    if (kind === '?') throw new Error(`required variable ${name} is missing a value: ${operand}`);
    return kind === '-' ? operand : '';
  });
}

/** `KEY=value` lines of a `.env` file (comments and blank lines skipped). */
export function readEnvFile(file: string): Record<string, string> {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]);
  return Object.fromEntries(entries);
}
