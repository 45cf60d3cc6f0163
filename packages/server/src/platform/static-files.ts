import { createReadStream, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

const precompressed = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/** Serves the built web client: real files when they exist, `index.html` for client-side routes. */
export class StaticFiles {
  constructor(private readonly root: string) {}

  serve(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const file = this.resolve(request.url);
    if (file) return this.send(request, reply, file.path, file.stats);
    const index = this.resolve('/index.html');
    if (index) return this.send(request, reply, index.path, index.stats);
    return reply.code(404).type('text/plain; charset=utf-8').send('404 Not Found');
  }

  private resolve(url: string): { path: string; stats: Stats } | null {
    const pathname = decodePath(url);
    if (pathname === null) return null;
    const relative = pathname === '/favicon.ico' ? '/favicon.png' : pathname;
    const full = path.join(this.root, path.normalize(relative));
    if (!full.startsWith(this.root + path.sep)) return null;
    const stats = statFile(full);
    return stats ? { path: full, stats } : null;
  }

  private send(request: FastifyRequest, reply: FastifyReply, file: string, stats: Stats): FastifyReply {
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    reply.header('etag', etag).header('vary', 'accept-encoding');
    reply.type(contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    const variant = pickPrecompressed(file, request.headers['accept-encoding']);
    if (variant) {
      reply.header('content-encoding', variant.encoding).header('content-length', variant.size);
      return reply.send(request.method === 'HEAD' ? null : createReadStream(variant.path));
    }
    reply.header('content-length', stats.size);
    return reply.send(request.method === 'HEAD' ? null : createReadStream(file));
  }
}

function pickPrecompressed(file: string, acceptEncoding: string | undefined) {
  if (!acceptEncoding) return null;
  const accepted = acceptEncoding.split(',').map((part) => part.trim().split(';')[0]);
  for (const { encoding, suffix } of precompressed) {
    if (!accepted.includes(encoding)) continue;
    const stats = statFile(file + suffix);
    if (stats) return { encoding, path: file + suffix, size: stats.size };
  }
  return null;
}

function decodePath(url: string): string | null {
  const pathname = url.split('?')[0] ?? '/';
  try {
    const decoded = decodeURIComponent(pathname);
    return decoded.includes('\0') ? null : decoded;
  } catch {
    return null;
  }
}

function statFile(file: string): Stats | null {
  try {
    const stats = statSync(file);
    return stats.isFile() ? stats : null;
  } catch {
    return null;
  }
}
