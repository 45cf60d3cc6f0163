import type { UserPublic } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';

const { app, events } = await createTestApp();
await registerUser(app);

const update = (user: TestUser, payload: unknown) =>
  call(app, {
    method: 'PUT',
    url: '/api/account/profile',
    headers: { ...user.headers, 'content-type': 'application/json' },
    ...(payload !== undefined && { payload: JSON.stringify(payload) }),
  });
const me = async (user: TestUser) =>
  (await call(app, { url: '/api/account/me', headers: user.headers })).json<UserPublic>();
const validation = (message: string) => ({ error: { code: 'validation_error', message } });

const fullProfile = {
  display_name: '  New Name  ',
  avatar_url: 'https://img.example.org/a.png',
  banner_url: '/api/avatars/banner.webp?v=1',
  custom_status: '  busy  ',
  bio: ' Hello there ',
  pronouns: ' they/them ',
};

describe('PUT /api/account/profile', () => {
  it('updates every field, trims text, and answers with the UserPublic', async () => {
    const member = await registerUser(app);
    const response = await update(member, fullProfile);
    expect(response.statusCode).toBe(200);
    const expected = {
      ...member.user,
      display_name: 'New Name',
      avatar_url: 'https://img.example.org/a.png',
      banner_url: '/api/avatars/banner.webp?v=1',
      custom_status: 'busy',
      bio: 'Hello there',
      pronouns: 'they/them',
    };
    expect(response.json()).toEqual(expected);
    expect(await me(member)).toEqual(expected);
  });

  it('leaves fields that are absent or null unchanged', async () => {
    const member = await registerUser(app);
    await update(member, fullProfile);
    const before = await me(member);
    const response = await update(member, {
      display_name: null,
      avatar_url: null,
      bio: null,
      pronouns: null,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(before);
    expect((await update(member, {})).json()).toEqual(before);
  });

  it('clears nullable fields with an empty string (blank text too)', async () => {
    const member = await registerUser(app);
    await update(member, fullProfile);
    const response = await update(member, {
      avatar_url: '',
      banner_url: '',
      custom_status: '   ',
      bio: '',
      pronouns: '',
    });
    expect(response.statusCode).toBe(200);
    const user = response.json<UserPublic>();
    expect(user).toMatchObject({ avatar_url: null, banner_url: null, custom_status: null });
    expect(user).not.toHaveProperty('bio');
    expect(user).not.toHaveProperty('pronouns');
    expect(user.display_name).toBe('New Name');
  });

  it.each([
    ['64 one-byte characters', 'a'.repeat(64)],
    ['32 two-byte characters', 'é'.repeat(32)],
    ['16 four-byte emoji', '😀'.repeat(16)],
    ['64 bytes once trimmed', ` ${'é'.repeat(32)} `],
  ])('accepts a display name of %s', async (_name, displayName) => {
    const member = await registerUser(app);
    const response = await update(member, { display_name: displayName });
    expect(response.statusCode).toBe(200);
    expect(response.json().display_name).toBe(displayName.trim());
  });

  it.each([
    ['65 bytes', 'a'.repeat(65)],
    ['65 bytes of multi-byte characters', `a${'é'.repeat(32)}`],
    ['empty', ''],
    ['blank', '   '],
  ])('refuses a display name of %s', async (_name, displayName) => {
    const member = await registerUser(app);
    const response = await update(member, { display_name: displayName });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('display name must be 1-64 characters'));
    expect((await me(member)).display_name).toBe(member.user.display_name);
  });

  it.each([
    ['custom_status', 128, 'custom status'],
    ['bio', 500, 'bio'],
    ['pronouns', 50, 'pronouns'],
  ])('limits %s to %i bytes', async (field, max, label) => {
    const member = await registerUser(app);
    const fits = 'é'.repeat(max / 2);
    expect((await update(member, { [field]: fits })).json()[field]).toBe(fits);
    const response = await update(member, { [field]: `${fits}a` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation(`${label} must be at most ${max} characters`));
  });

  it.each([
    ['http', 'http://example.org/a.png'],
    ['https', 'https://example.org/a.png'],
    ['/api/', '/api/avatars/x.png?v=2'],
    ['of exactly 2048 bytes', `https://example.org/${'a'.repeat(2048 - 20)}`],
  ])('accepts an image URL: %s', async (_name, url) => {
    const member = await registerUser(app);
    const response = await update(member, { avatar_url: url, banner_url: url });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ avatar_url: url, banner_url: url });
  });

  it('refuses an image URL over 2048 bytes', async () => {
    const member = await registerUser(app);
    const response = await update(member, { banner_url: `https://example.org/${'é'.repeat(1015)}` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('banner URL must be at most 2048 characters'));
  });

  it.each([
    ['javascript:alert(1)'],
    ['data:image/png;base64,AAAA'],
    ['ftp://example.org/a.png'],
    ['/static/a.png'],
    [' https://example.org/a.png'],
    ['https://example.org/a.png") ; background: red'],
    ["https://example.org/a'.png"],
    ['https://example.org/a b.png'],
    ['https://example.org/a\\b.png'],
    ['https://example.org/\ud800.png'],
  ])('refuses the image URL %j', async (url) => {
    const member = await registerUser(app);
    const response = await update(member, { avatar_url: url });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      validation(
        'avatar URL must start with http://, https:// or /api/ and contain no spaces, quotes, brackets or backslashes',
      ),
    );
  });

  it('changes nothing when one field of the request is invalid', async () => {
    const member = await registerUser(app);
    const response = await update(member, { display_name: 'Fine', pronouns: 'x'.repeat(51) });
    expect(response.statusCode).toBe(400);
    expect((await me(member)).display_name).toBe(member.user.display_name);
  });

  it.each([
    ['no body', undefined],
    ['an array', []],
    ['a string', 'name'],
    ['a number as display name', { display_name: 5 }],
    ['an object as bio', { bio: { text: 'x' } }],
    ['a boolean as avatar URL', { avatar_url: true }],
    ['a NUL character', { display_name: 'a\u0000b' }],
  ])('answers 400 for %s', async (_name, payload) => {
    const member = await registerUser(app);
    const response = await update(member, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('answers 400 for malformed JSON', async () => {
    const member = await registerUser(app);
    const response = await call(app, {
      method: 'PUT',
      url: '/api/account/profile',
      headers: { ...member.headers, 'content-type': 'application/json' },
      payload: '{"bio": "x',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('requires a token', async () => {
    const response = await call(app, { method: 'PUT', url: '/api/account/profile', payload: { bio: 'x' } });
    expect(response.statusCode).toBe(401);
  });
});

describe('user_profile_updated', () => {
  it('goes to everyone connected after the change is saved, and not at all for a refused change', async () => {
    const member = await registerUser(app);
    const before = events.length;
    expect((await update(member, { display_name: '' })).statusCode).toBe(400);
    expect(events.length).toBe(before);
    await update(member, { display_name: 'Renamed', custom_status: 'brb' });
    expect(events.slice(before)).toEqual([
      {
        kind: 'frame',
        audience: { kind: 'all' },
        frame: {
          type: 'user_profile_updated',
          user_id: member.user.id,
          display_name: 'Renamed',
          avatar_url: null,
          banner_url: null,
          voice_background_url: null,
          custom_status: 'brb',
          bio: null,
          pronouns: null,
        },
      },
    ]);
  });
});
