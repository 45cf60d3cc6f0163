import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createTestApp, fixturesDir, temporaryDir } from './harness.js';

const { app } = await createTestApp();
const staticDir = path.join(fixturesDir, 'static');

describe('the web client', () => {
  it('is served at /', async () => {
    const response = await app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toContain('Chatalot test shell');
  });

  it('answers client-side routes with index.html', async () => {
    const response = await app.inject('/channels/7f1c/threads?x=1');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Chatalot test shell');
  });

  it('serves immutable build assets with a one-year cache', async () => {
    const response = await app.inject('/_app/immutable/entry.js');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toContain('immutable chunk');
  });

  it('serves other files with no-cache and revalidates them by ETag', async () => {
    const first = await app.inject('/assets/site.css');
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers['content-type']).toBe('text/css; charset=utf-8');
    const etag = String(first.headers.etag);
    const second = await app.inject({ url: '/assets/site.css', headers: { 'if-none-match': etag } });
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe('');
  });

  it('prefers a precompressed sibling the client accepts', async () => {
    const original = readFileSync(path.join(staticDir, '_app/immutable/big.js'), 'utf8');
    const brotli = await app.inject({
      url: '/_app/immutable/big.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(original);
    const gzip = await app.inject({ url: '/_app/immutable/big.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await app.inject({
      url: '/_app/immutable/big.js',
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(original);
  });

  it('serves favicon.png as /favicon.ico', async () => {
    const response = await app.inject('/favicon.ico');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
  });

  it.each(['/../../package.json', '/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/%00'])(
    'never serves a file outside the web root (%s)',
    async (url) => {
      const response = await app.inject(url);
      expect(response.body).not.toContain('@chatalot/server');
      expect([200, 404]).toContain(response.statusCode);
    },
  );

  it('answers HEAD without a body', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
  });

  it('answers other methods on client routes with a JSON 404', async () => {
    const response = await app.inject({ method: 'POST', url: '/login' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });

  it('says 404 in plain text when no web client is built', async () => {
    const { app: bare } = await createTestApp({ env: { STATIC_FILES_PATH: temporaryDir() } });
    const response = await bare.inject('/');
    expect(response.statusCode).toBe(404);
    expect(response.body).toBe('404 Not Found');
  });
});
