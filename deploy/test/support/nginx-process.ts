import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Certificate } from './tls-certificate.js';

/** The example configurations a self-hoster copies; the tests run exactly these. */
export const nginxExamples = path.resolve(import.meta.dirname, '../../nginx');

/** The file with every `${NAME}` placeholder replaced; a placeholder without a value is an error. */
export function renderTemplate(file: string, values: Readonly<Record<string, string>>): string {
  return readFileSync(file, 'utf8').replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${path.basename(file)}: no value for \${${name}}`);
    return value;
  });
}

/** chatalot.conf with its `upstream chatalot` block swapped for `upstream`, as the scaling guide says. */
export function withUpstream(site: string, upstream: string): string {
  const block = /^upstream chatalot \{[^}]*\}\n/m;
  if (!block.test(site)) throw new Error('the site has no `upstream chatalot` block');
  return site.replace(block, () => upstream);
}

export interface RunningNginx {
  output(): string;
  /** Stops the master and its workers (the whole process group). */
  stop(): Promise<void>;
}

/**
 * nginx as a child process with everything in `dir`: `site` goes into the `http` block the way conf.d files
 * do. One worker, so the balancing order is the same on every run. The test-only `X-Test-Upstream` header
 * names the node that answered (a WebSocket's 101 included).
 */
export async function startNginx(dir: string, site: string, ports: readonly number[]): Promise<RunningNginx> {
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(path.join(dir, `${temp}_temp`), { recursive: true });
  }
  writeFileSync(path.join(dir, 'site.conf'), site);
  writeFileSync(path.join(dir, 'nginx.conf'), mainConfig(dir));
  const child = spawn(
    'nginx',
    ['-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off; error_log stderr;'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  }
  const running = { output: () => output, stop: () => stopGroup(child) };
  try {
    for (const port of ports) await waitForPort(child, port, () => output);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

function mainConfig(dir: string): string {
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, `${name}_temp`)};`;
  // Run as root, nginx would start its workers as `nobody`, who cannot enter the private temporary folder.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `${user}
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
events { worker_connections 256; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  add_header X-Test-Upstream $upstream_addr always;
  include ${path.join(dir, 'site.conf')};
}
`;
}

async function waitForPort(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`nginx is not listening on ${port}:\n${output()}`);
    await delay(50);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  if ((await Promise.race([exited, delay(5_000, 'timeout', { ref: false })])) === 'timeout') {
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  }
}

export interface SiteValues {
  /** `host:port` of the server (ignored when the upstream block is swapped). */
  upstream: string;
  httpPort: number;
  httpsPort: number;
  certificate: Certificate;
  maxBodyMb: number;
}

/** chatalot.conf filled in for this machine: both ports on 127.0.0.1, the name `localhost`. */
export function renderExampleSite(values: SiteValues): string {
  return renderTemplate(path.join(nginxExamples, 'chatalot.conf'), {
    CHATALOT_DOMAIN: 'localhost',
    CHATALOT_UPSTREAM: values.upstream,
    CHATALOT_HTTP_LISTEN: `127.0.0.1:${values.httpPort}`,
    CHATALOT_HTTPS_LISTEN: `127.0.0.1:${values.httpsPort}`,
    CHATALOT_TLS_CERT: values.certificate.certPath,
    CHATALOT_TLS_KEY: values.certificate.keyPath,
    CHATALOT_MAX_BODY_MB: String(values.maxBodyMb),
  });
}
