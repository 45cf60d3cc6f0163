import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The end-to-end tests drive the real web client, so build it as `npm start` would. */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync('npm', ['run', 'build', '-w', '@chatalot/web'], { cwd: root, stdio: 'ignore' });
}
