import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createTestApp, ManualClock } from './harness.js';

const clock = new ManualClock();
const { app } = await createTestApp({
  clock,
  env: { TRUSTED_PROXIES: '10.0.0.0/8' },
  testRoutes: (testApp) => {
    testApp.get('/api/test/ip', async (request) => ({ ip: request.ip }));
    testApp.get('/api/auth/test', async () => ({ ok: true }));
  },
});

async function burst(count: number, request: InjectOptions) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await app.inject(request)).statusCode);
  return statuses;
}

describe('per-IP rate limits', () => {
  it('lets a burst of 50 through, then answers 429 with Retry-After in the error shape', async () => {
    const request = { url: '/api/health', remoteAddress: '203.0.113.1' };
    const statuses = await burst(50, request);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const limited = await app.inject(request);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.json()).toEqual({
      error: { code: 'rate_limited', message: 'too many requests, please slow down' },
    });
  });

  it('refills 20 requests a second', async () => {
    const request = { url: '/api/health', remoteAddress: '203.0.113.2' };
    await burst(50, request);
    expect((await app.inject(request)).statusCode).toBe(429);
    clock.advance(500);
    const statuses = await burst(11, request);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.at(-1)).toBe(429);
  });

  it('counts each address on its own', async () => {
    await burst(51, { url: '/api/health', remoteAddress: '203.0.113.3' });
    expect((await app.inject({ url: '/api/health', remoteAddress: '203.0.113.4' })).statusCode).toBe(200);
  });

  it('never limits the web client’s content-hashed assets, which a page load fetches by the dozen', async () => {
    const request = { url: '/_app/immutable/chunks/app.js', remoteAddress: '203.0.113.7' };
    const statuses = await burst(120, request);
    expect(statuses.includes(429)).toBe(false);
    expect((await app.inject({ url: '/api/health', remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
  });

  it('limits static files and client routes too', async () => {
    const statuses = await burst(51, { url: '/some/client/route', remoteAddress: '203.0.113.5' });
    expect(statuses.at(-1)).toBe(429);
  });

  it('gives /api/auth/* a stricter bucket of 10 with a refill of 5 a second', async () => {
    const request = { url: '/api/auth/test', remoteAddress: '203.0.113.6' };
    const statuses = await burst(10, request);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const limited = await app.inject(request);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toEqual({
      code: 'rate_limited',
      message: 'too many authentication attempts',
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await app.inject({ url: '/api/health', remoteAddress: '203.0.113.6' })).statusCode).toBe(200);
    clock.advance(1000);
    expect((await burst(5, request)).every((status) => status === 200)).toBe(true);
  });
});

describe('client address behind proxies', () => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const response = await app.inject({
      url: '/api/test/ip',
      remoteAddress: '203.0.113.20',
      headers: { 'x-forwarded-for': '1.2.3.4' },
    });
    expect(response.json()).toEqual({ ip: '203.0.113.20' });
  });

  it('takes the right-most hop that is not a trusted proxy', async () => {
    const response = await app.inject({
      url: '/api/test/ip',
      remoteAddress: '10.0.0.2',
      headers: { 'x-forwarded-for': '1.2.3.4, 198.51.100.7, 10.0.0.9' },
    });
    expect(response.json()).toEqual({ ip: '198.51.100.7' });
  });

  it('does not let a client behind a trusted proxy escape its rate limit by forging X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) {
      const forged = `192.0.2.${i}, 198.51.100.99`;
      const response = await app.inject({
        url: '/api/health',
        remoteAddress: '10.0.0.2',
        headers: { 'x-forwarded-for': forged },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it('does not trust CF-Connecting-IP or X-Real-IP', async () => {
    const response = await app.inject({
      url: '/api/test/ip',
      remoteAddress: '10.0.0.2',
      headers: { 'cf-connecting-ip': '1.1.1.1', 'x-real-ip': '8.8.8.8', 'x-forwarded-for': '198.51.100.50' },
    });
    expect(response.json()).toEqual({ ip: '198.51.100.50' });
  });

  it('trusts loopback by default and nothing else', async () => {
    const { app: defaultApp } = await createTestApp({
      testRoutes: (testApp) => testApp.get('/api/test/ip', async (request) => ({ ip: request.ip })),
    });
    const viaLoopback = await defaultApp.inject({
      url: '/api/test/ip',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '198.51.100.60' },
    });
    expect(viaLoopback.json()).toEqual({ ip: '198.51.100.60' });
    const viaDocker = await defaultApp.inject({
      url: '/api/test/ip',
      remoteAddress: '172.17.0.5',
      headers: { 'x-forwarded-for': '198.51.100.61' },
    });
    expect(viaDocker.json()).toEqual({ ip: '172.17.0.5' });
  });
});
