import { describe, expect, it } from 'vitest';
import { createTestApp } from './harness.js';

const { app } = await createTestApp({
  env: { CORS_ORIGINS: 'https://app.example.org' },
  testRoutes: (testApp) => {
    testApp.post('/api/test/echo', async (request) => ({ received: request.body ?? null }));
    testApp.delete('/api/test/echo', async (request) => ({ received: request.body ?? null }));
    testApp.get('/api/test/boom', async () => {
      throw new Error('database password is hunter2');
    });
    testApp.get('/api/test/large', async () => ({
      items: Array.from({ length: 200 }, (_, i) => `item ${i}`),
    }));
  },
});

let nextAddress = 1;
/** Each test talks from its own address so that the rate limiter does not mix tests up. */
const fromNewAddress = () => `198.51.100.${nextAddress++}`;

describe('error shape', () => {
  it('answers an unknown API path with a JSON 404', async () => {
    const response = await app.inject({ url: '/api/nope', remoteAddress: fromNewAddress() });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      error: { code: 'not_found', message: 'no API endpoint GET /api/nope' },
    });
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const response = await app.inject({ method: 'PUT', url: '/api/health', remoteAddress: fromNewAddress() });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET');
    expect(response.json().error.code).toBe('method_not_allowed');
  });

  it('hides internal errors behind a generic 500', async () => {
    const response = await app.inject({ url: '/api/test/boom', remoteAddress: fromNewAddress() });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: { code: 'internal_error', message: 'an internal error occurred' },
    });
    expect(response.body).not.toContain('hunter2');
  });

  it.each([
    ['malformed JSON', '{"a":', 'application/json', 400, 'validation_error'],
    ['prototype poisoning', '{"__proto__":{"admin":true}}', 'application/json', 400, 'validation_error'],
    ['an unknown content type', 'a=b', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
  ])('rejects %s in the error shape', async (_name, payload, contentType, status, code) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload,
      headers: { 'content-type': contentType },
      remoteAddress: fromNewAddress(),
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
  });

  it('rejects a JSON body over the JSON limit with 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 1) }),
      headers: { 'content-type': 'application/json' },
      remoteAddress: fromNewAddress(),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });

  it('treats an empty body sent with a JSON content type as no body, as web clients send it', async () => {
    const response = await app.inject({
      method: 'DELETE',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      remoteAddress: fromNewAddress(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: null });
  });

  it('parses a normal JSON body', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { text: 'héllo 👋' },
      remoteAddress: fromNewAddress(),
    });
    expect(response.json()).toEqual({ received: { text: 'héllo 👋' } });
  });
});

describe('security headers', () => {
  it.each(['/api/health', '/api/nope', '/'])('are on every response (%s)', async (url) => {
    const response = await app.inject({ url, remoteAddress: fromNewAddress() });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(response.headers['permissions-policy']).toBe('camera=(self), microphone=(self), geolocation=()');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'self' tauri://localhost");
    expect(response.headers['content-security-policy']).toContain("object-src 'none'");
    expect(response.headers['x-frame-options']).toBeUndefined();
  });

  it('leaves out HSTS when the instance is not served over https', async () => {
    const response = await app.inject({ url: '/api/health', remoteAddress: fromNewAddress() });
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('sends HSTS when PUBLIC_URL is https', async () => {
    const { app: tlsApp } = await createTestApp({ env: { PUBLIC_URL: 'https://chat.example.org' } });
    const response = await tlsApp.inject({ url: '/api/health' });
    expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('CORS', () => {
  it('allows a configured origin', async () => {
    const response = await app.inject({
      url: '/api/health',
      headers: { origin: 'https://app.example.org' },
      remoteAddress: fromNewAddress(),
    });
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('does not allow any other origin', async () => {
    const response = await app.inject({
      url: '/api/health',
      headers: { origin: 'https://evil.example.com' },
      remoteAddress: fromNewAddress(),
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a preflight from a configured origin with the allowed methods and headers', async () => {
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/api/account/me',
      headers: {
        origin: 'https://app.example.org',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type',
      },
      remoteAddress: fromNewAddress(),
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(response.headers['access-control-allow-methods']).toBe('GET, POST, PUT, PATCH, DELETE, OPTIONS');
    expect(response.headers['access-control-allow-headers']).toBe('Content-Type, Authorization');
  });

  it('by default allows only the desktop app origin, never a foreign domain', async () => {
    const { app: defaultApp } = await createTestApp();
    const desktop = await defaultApp.inject({ url: '/api/health', headers: { origin: 'tauri://localhost' } });
    expect(desktop.headers['access-control-allow-origin']).toBe('tauri://localhost');
    const upstream = await defaultApp.inject({
      url: '/api/health',
      headers: { origin: 'https://chatalot.seglamater.app' },
    });
    expect(upstream.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('compression', () => {
  it('gzips larger JSON responses for clients that accept it', async () => {
    const response = await app.inject({
      url: '/api/test/large',
      headers: { 'accept-encoding': 'gzip' },
      remoteAddress: fromNewAddress(),
    });
    expect(response.headers['content-encoding']).toBe('gzip');
  });
});
