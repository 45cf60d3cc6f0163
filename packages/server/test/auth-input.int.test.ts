import { describe, expect, it } from 'vitest';
import { call, keyBundle, registrationBody } from './factories.js';
import { createTestApp } from './harness.js';

const { app } = await createTestApp({
  env: {
    PUBLIC_URL: 'https://chat.example.org/',
    ICE_SERVERS: '[{"urls":["stun:stun.example.org:3478"]}]',
  },
});

const register = (payload: unknown) =>
  call(app, { method: 'POST', url: '/api/auth/register', payload: payload as object });

async function registerError(overrides: Record<string, unknown>) {
  const response = await register({ ...registrationBody(), ...overrides });
  expect(response.statusCode).toBe(400);
  return response.json().error.message as string;
}

describe('registration input', () => {
  it.each([
    ['ab', 'username must be 3-32 characters'],
    ['a'.repeat(33), 'username must be 3-32 characters'],
    ['_leading', 'username may only contain'],
    ['trailing.', 'username may only contain'],
    ['dou..ble', 'username may only contain'],
    ['spa ce', 'username may only contain'],
    ['ünïcode', 'username may only contain'],
  ])('refuses the username %j', async (username, message) => {
    expect(await registerError({ username })).toContain(message);
  });

  it.each(['no-at-sign', '@example.org', 'someone@', 'someone@localhost', `${'a'.repeat(250)}@x.org`])(
    'refuses the email %j',
    async (email) => {
      expect(await registerError({ email })).toBe('invalid email address');
    },
  );

  it.each([
    ['', 'display name must be 1-64 characters'],
    ['   ', 'display name must be 1-64 characters'],
    ['é'.repeat(33), 'display name must be 1-64 characters'],
  ])('refuses the display name %j', async (display_name, message) => {
    expect(await registerError({ display_name })).toBe(message);
  });

  it('accepts a 64-byte display name of multi-byte characters and trims it', async () => {
    const response = await register(registrationBody({ display_name: `  ${'é'.repeat(32)}  ` }));
    expect(response.statusCode).toBe(200);
    expect(response.json().user.display_name).toBe('é'.repeat(32));
  });

  it('checks key sizes and the signed prekey signature', async () => {
    const bundle = keyBundle();
    expect(await registerError({ identity_key: bundle.identity_key.slice(1) })).toBe(
      'identity key must be 32 bytes',
    );
    expect(await registerError({ signed_prekey: { ...bundle.signed_prekey, public_key: [1, 2, 3] } })).toBe(
      'signed prekey must be 32 bytes',
    );
    expect(await registerError({ signed_prekey: { ...bundle.signed_prekey, signature: [1] } })).toBe(
      'signed prekey signature must be 64 bytes',
    );
    const other = keyBundle();
    expect(await registerError({ ...bundle, identity_key: other.identity_key })).toBe(
      'signed prekey signature verification failed',
    );
    expect(await registerError({ one_time_prekeys: [{ key_id: 1, public_key: [1, 2] }] })).toBe(
      'one-time prekeys must be 32 bytes',
    );
  });

  it.each([
    ['a byte above 255', { identity_key: [256, ...Array(31).fill(0)] }],
    ['a string for bytes', { identity_key: 'AAAA' }],
    ['a number for a string', { username: 12345 }],
    ['a missing field', { email: undefined }],
    ['an array body', []],
    ['null one-time prekeys', { one_time_prekeys: null }],
  ])('answers %s with 400 in the error shape', async (_name, overrides) => {
    const payload = Array.isArray(overrides) ? overrides : { ...registrationBody(), ...overrides };
    const response = await register(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it.each([
    ['malformed JSON', '{"username":', 'application/json'],
    ['an empty body', '', 'application/json'],
    ['a NUL in a field', JSON.stringify({ username: 'a\u0000b', password: 'x' }), 'application/json'],
  ])('never answers %s with a 500', async (_name, payload, contentType) => {
    for (const url of ['/api/auth/register', '/api/auth/login', '/api/auth/refresh', '/api/auth/recover']) {
      const response = await call(app, {
        method: 'POST',
        url,
        payload,
        headers: { 'content-type': contentType },
      });
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
      expect(response.json().error).toBeDefined();
    }
  });

  it('answers an oversized field with 400, not by trying to hash it', async () => {
    const response = await call(app, {
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'someone', password: 'x'.repeat(100_000) },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('GET /api/auth/config', () => {
  it('describes registration, the public address, ICE servers and the instance settings', async () => {
    const response = await call(app, { url: '/api/auth/config' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      registration_mode: 'open',
      public_url: 'https://chat.example.org',
      ice_servers: [{ urls: ['stun:stun.example.org:3478'] }],
      max_messages_cache: 500,
      max_pins_per_channel: 50,
      e2e_enabled: true,
    });
  });

  it('leaves out the public address and ICE servers when they are not configured', async () => {
    const { app: plain } = await createTestApp({ env: { REGISTRATION_MODE: 'invite_only' } });
    const body = (await plain.inject({ url: '/api/auth/config' })).json();
    expect(body.registration_mode).toBe('invite_only');
    expect(body).not.toHaveProperty('public_url');
    expect(body).not.toHaveProperty('ice_servers');
  });
});
