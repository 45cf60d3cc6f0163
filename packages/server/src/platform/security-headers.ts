import type { FastifyInstance } from 'fastify';

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' wss: https://cdn.jsdelivr.net",
  "img-src 'self' data: blob: https://media0.giphy.com https://media1.giphy.com https://media2.giphy.com https://media3.giphy.com https://media4.giphy.com",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "frame-ancestors 'self' tauri://localhost",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const baseHeaders = {
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '1; mode=block',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(self), microphone=(self), geolocation=()',
  'content-security-policy': contentSecurityPolicy,
};

const hstsHeader = { 'strict-transport-security': 'max-age=31536000; includeSubDomains' };

/** Security headers on every response (HSTS only when served over TLS), and the cache policy for non-API paths. */
export function registerSecurityHeaders(app: FastifyInstance, options: { hsts: boolean }): void {
  const headers = options.hsts ? { ...baseHeaders, ...hstsHeader } : baseHeaders;
  app.addHook('onSend', async (request, reply) => {
    reply.headers(headers);
    const cacheControl = cachePolicy(request.url);
    if (cacheControl !== null) reply.header('cache-control', cacheControl);
  });
}

export function cachePolicy(url: string): string | null {
  if (url.startsWith('/api/') || url === '/api') return null;
  if (url.startsWith('/_app/immutable/')) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}
