import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { call } from './factories.js';
import { createTestApp } from './harness.js';

const { app, config } = await createTestApp();
const named = await createTestApp({ env: { PUBLIC_URL: 'https://chat.example.org' } });

const documents = [
  ['privacy', 'Privacy Policy', 'privacy-policy.md'],
  ['terms', 'Terms of Service', 'terms-of-service.md'],
] as const;

afterEach(() => {
  for (const [, , file] of documents) rmSync(path.join(config.dataDir, file), { force: true });
});

describe.each(documents)('GET /api/legal/%s', (page, title, file) => {
  const url = `/api/legal/${page}`;

  it('answers without a token with the default text naming no instance', async () => {
    const response = await call(app, { url });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ title: string; body: string }>();
    expect(body.title).toBe(title);
    expect(body.body).toMatch(new RegExp(`^# ${title}\\n`));
    expect(body.body).toContain('**this Chatalot instance**');
  });

  it('names the instance by its public URL', async () => {
    const response = await call(named.app, { url });
    expect(response.json().body).toContain('**https://chat.example.org**');
    expect(response.json().body).not.toContain('this Chatalot instance');
  });

  it('serves the Markdown file in DATA_DIR, read fresh on each request', async () => {
    const custom = `# Our ${title}\n\nÜnïcode is kept as it is.\n`;
    writeFileSync(path.join(config.dataDir, file), custom);
    expect((await call(app, { url })).json()).toEqual({ title, body: custom });
    writeFileSync(path.join(config.dataDir, file), 'Changed.');
    expect((await call(app, { url })).json().body).toBe('Changed.');
  });

  it('falls back to the default when the file is blank', async () => {
    writeFileSync(path.join(config.dataDir, file), '  \n\t\n');
    expect((await call(app, { url })).json().body).toContain('this Chatalot instance');
  });
});
