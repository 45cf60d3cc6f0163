import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The end-to-end tests drive the real web client, so build it as `npm start` would. Vitest sets
 * `NODE_ENV=test`, and Vite would take it over and compile Svelte in development mode (dev-only checks and
 * instrumentation, about 13 % more JavaScript): the build gets the production mode `npm start` has.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync('npm', ['run', 'build', '-w', '@chatalot/web'], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
