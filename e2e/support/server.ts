import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from '../../packages/server/test/server-process.js';
import { Rest } from './rest.js';

export const root = path.resolve(import.meta.dirname, '../..');
/** Where the web client's global setup builds it (`npm run build -w @chatalot/web`). */
export const webBuild = path.join(root, 'packages/web/build');
const artifacts = path.join(root, 'e2e/artifacts');

/** A path in `e2e/artifacts/` (screenshots, metrics), the folder made on first use. */
export function artifact(name: string): string {
  mkdirSync(artifacts, { recursive: true });
  return path.join(artifacts, name);
}

export interface TestServerOptions {
  /** More environment for the server (`REGISTRATION_MODE`, …). */
  env?: Record<string, string>;
  /** Serves these files (name → content) instead of the built web client. */
  staticFiles?: Record<string, string>;
}

/** A real server process on a temporary `DATA_DIR`, with REST helpers bound to it. */
export class TestServer extends Rest {
  #stop: (() => Promise<unknown>) | null;

  private constructor(
    baseUrl: string,
    readonly dataDir: string,
    readonly output: () => string,
    stop: () => Promise<unknown>,
  ) {
    super(baseUrl);
    this.#stop = stop;
  }

  /**
   * Starts the server of `src/main.ts` on a free port, serving the built web client unless `staticFiles` says
   * otherwise. `name` goes into the temporary folder's name.
   */
  static async start(name: string, options: TestServerOptions = {}): Promise<TestServer> {
    const dataDir = mkdtempSync(path.join(tmpdir(), `chatalot-e2e-${name}-`));
    let staticPath = webBuild;
    if (options.staticFiles) {
      staticPath = path.join(dataDir, 'static');
      mkdirSync(staticPath);
      for (const [file, content] of Object.entries(options.staticFiles)) {
        writeFileSync(path.join(staticPath, file), content);
      }
    }
    try {
      const running = await startServer({ DATA_DIR: dataDir, STATIC_FILES_PATH: staticPath, ...options.env });
      return new TestServer(running.baseUrl, dataDir, running.output, () => running.stop());
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Stops the process (once; later calls do nothing). The data directory stays until `dispose`. */
  async stop(): Promise<void> {
    const stop = this.#stop;
    this.#stop = null;
    await stop?.();
  }

  /** Stops the process and removes its data directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
