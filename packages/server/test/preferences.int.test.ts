import type { PreferencesResponse } from '@chatalot/protocol';
import { describe, expect, it } from 'vitest';
import { call, registerUser, type TestUser } from './factories.js';
import { createTestApp } from './harness.js';

const { app } = await createTestApp();
await registerUser(app);

const read = (user: TestUser) => call(app, { url: '/api/account/preferences', headers: user.headers });
const save = (user: TestUser, payload: unknown) =>
  call(app, {
    method: 'PUT',
    url: '/api/account/preferences',
    headers: user.headers,
    payload: payload as object,
  });
const validation = (message: string) => ({ error: { code: 'validation_error', message } });

const palette = {
  bgPrimary: '#1a1816',
  bgSecondary: '#221f1c',
  bgTertiary: '#2d2926',
  textPrimary: '#ede8e2',
  textSecondary: '#8a8078',
  accent: '#e07a4f',
  accentHover: '#eb9670',
};

/** One valid value for every key of web-client.md §4.9. */
const everyKey = {
  theme: 'dark',
  presetTheme: 'custom',
  customThemeColors: palette,
  accentColor: 'teal',
  messageDensity: 'compact',
  chatBubbleStyle: 'bubbles',
  sidebarLayout: 'compact',
  timeFormat: '24h',
  relativeTimestamps: true,
  uiZoom: 125,
  fontSize: 'large',
  reduceMotion: true,
  animatedAccent: false,
  sendBehavior: 'ctrl-enter',
  showFormattingToolbar: false,
  showLinkPreviews: false,
  sendReadReceipts: false,
  noiseSuppression: 'noise-gate',
  inputGain: 150,
  outputVolume: 0,
  echoCancellation: false,
  autoGainControl: true,
  voiceActivationMode: 'push-to-talk',
  pttKey: ' ',
  toggleMuteKey: 'm',
  autoHideParticipantsOnStream: true,
  voiceBackground: {
    type: 'gradient',
    gradientFrom: 'rgb(10, 20, 30)',
    gradientTo: 'hsla(120deg 50% 50% / 0.5)',
    gradientAngle: 135,
  },
  desktopNotifyDm: true,
  desktopNotifyMention: true,
  desktopNotifyChannel: false,
};

describe('GET /api/account/preferences', () => {
  it('answers {} before anything was saved', async () => {
    const member = await registerUser(app);
    const response = await read(member);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ preferences: {} });
  });

  it('requires a token', async () => {
    expect((await call(app, { url: '/api/account/preferences' })).statusCode).toBe(401);
  });
});

describe('PUT /api/account/preferences', () => {
  it('accepts every known key and returns what is stored', async () => {
    const member = await registerUser(app);
    const response = await save(member, { preferences: everyKey });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ preferences: everyKey });
    expect((await read(member)).json()).toEqual({ preferences: everyKey });
  });

  it('merges shallowly: unsent keys stay, nested objects are replaced whole', async () => {
    const member = await registerUser(app);
    await save(member, {
      preferences: {
        theme: 'light',
        uiZoom: 90,
        customThemeColors: palette,
        voiceBackground: { type: 'preset', presetId: 'aurora' },
      },
    });
    const nextBackground = { type: 'custom', customUrl: '/api/avatars/me_voicebg.webp?v=1' };
    const response = await save(member, { preferences: { uiZoom: 110, voiceBackground: nextBackground } });
    const expected = {
      theme: 'light',
      uiZoom: 110,
      customThemeColors: palette,
      voiceBackground: nextBackground,
    };
    expect(response.json<PreferencesResponse>()).toEqual({ preferences: expected });
    expect((await read(member)).json()).toEqual({ preferences: expected });
  });

  it("keeps each member's preferences apart", async () => {
    const first = await registerUser(app);
    const second = await registerUser(app);
    await save(first, { preferences: { theme: 'dark' } });
    expect((await read(second)).json()).toEqual({ preferences: {} });
  });

  it('accepts an empty object as a no-op', async () => {
    const member = await registerUser(app);
    await save(member, { preferences: { fontSize: 'small' } });
    expect((await save(member, { preferences: {} })).json()).toEqual({ preferences: { fontSize: 'small' } });
  });

  it('names an unknown key and stores nothing', async () => {
    const member = await registerUser(app);
    const response = await save(member, { preferences: { theme: 'dark', favouriteColour: 'blue' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(validation('preferences: unknown preference "favouriteColour"'));
    expect((await read(member)).json()).toEqual({ preferences: {} });
  });

  it.each([
    ['theme', 'sepia'],
    ['theme', null],
    ['uiZoom', 49],
    ['uiZoom', 201],
    ['uiZoom', 100.5],
    ['uiZoom', '100'],
    ['inputGain', -1],
    ['outputVolume', 200.5],
    ['relativeTimestamps', 'true'],
    ['pttKey', ''],
    ['pttKey', '\u0000'],
    ['toggleMuteKey', '\ud800'],
    ['customThemeColors', { ...palette, accent: 'red; background: url(x)' }],
    ['customThemeColors', { accent: '#fff' }],
    ['customThemeColors', { ...palette, extra: '#fff' }],
    ['voiceBackground', { type: 'video' }],
    ['voiceBackground', { type: 'custom', customUrl: 'javascript:alert(1)' }],
    ['voiceBackground', { type: 'custom', customUrl: 'https://x.org/a.png) ; color: red' }],
    ['voiceBackground', { type: 'custom', customUrl: 'https://x.org/\ud800.png' }],
    ['voiceBackground', { type: 'gradient', gradientAngle: 361 }],
    ['voiceBackground', { type: 'preset', presetId: 'beach' }],
  ])('names the key when %s is %j', async (key, value) => {
    const member = await registerUser(app);
    const response = await save(member, { preferences: { [key]: value } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
    expect(response.json().error.message).toMatch(new RegExp(`^preferences\\.${key}\\b`));
  });

  it('refuses more than 16 KB serialized, counted in bytes, before looking at the keys', async () => {
    const member = await registerUser(app);
    const wrapper = '{"x":""}'.length;
    const atLimit = await save(member, { preferences: { x: 'a'.repeat(16_384 - wrapper) } });
    expect(atLimit.json()).toEqual(validation('preferences: unknown preference "x"'));
    for (const value of ['a'.repeat(16_385 - wrapper), 'é'.repeat(8_200)]) {
      const response = await save(member, { preferences: { x: value } });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(validation('preferences too large (max 16 KB)'));
    }
  });

  it.each([
    ['no body', undefined],
    ['no preferences field', {}],
    ['null preferences', { preferences: null }],
    ['an array', { preferences: [] }],
    ['a string', { preferences: 'dark' }],
    ['a number', { preferences: 3 }],
    ['an array body', [{ theme: 'dark' }]],
  ])('answers 400 for %s', async (_name, payload) => {
    const member = await registerUser(app);
    const response = await save(member, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });

  it('says the preferences must be an object', async () => {
    const member = await registerUser(app);
    const response = await save(member, { preferences: ['dark'] });
    expect(response.json()).toEqual(validation('preferences: must be a JSON object'));
  });

  it('answers 400 for malformed JSON', async () => {
    const member = await registerUser(app);
    const response = await call(app, {
      method: 'PUT',
      url: '/api/account/preferences',
      headers: { ...member.headers, 'content-type': 'application/json' },
      payload: '{"preferences": {',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_error');
  });
});
