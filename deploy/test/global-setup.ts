import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The deployment tests run what a self-hoster runs: the compiled server (`npm run build`), not the sources
 * through tsx. The web client is not needed here (the e2e project builds and drives it).
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  execFileSync(
    'npm',
    ['run', 'build', '-w', '@chatalot/protocol', '-w', '@chatalot/crypto', '-w', '@chatalot/server'],
    { cwd: root, stdio: 'ignore' },
  );
}
