import path from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const protocolSource = path.resolve(import.meta.dirname, 'packages/protocol/src/index.ts');
const cryptoSource = path.resolve(import.meta.dirname, 'packages/crypto/src/index.ts');
const alias = { '@chatalot/protocol': protocolSource, '@chatalot/crypto': cryptoSource };

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'protocol', include: ['packages/protocol/src/**/*.test.ts'] } },
      { resolve: { alias }, test: { name: 'crypto', include: ['packages/crypto/{src,test}/**/*.test.ts'] } },
      {
        resolve: { alias },
        test: {
          name: 'server',
          include: ['packages/server/{src,test}/**/*.test.ts'],
          globalSetup: ['packages/server/test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Svelte compiles the `*.svelte.ts` state modules and components; jsdom and fake-indexeddb stand in
        // for the browser in unit tests (the e2e project drives the real one).
        plugins: [svelte({ configFile: false })],
        resolve: {
          alias: { ...alias, $lib: path.resolve(import.meta.dirname, 'packages/web/src/lib') },
          conditions: ['browser'],
        },
        test: {
          name: 'web',
          include: ['packages/web/src/**/*.test.ts'],
          environment: 'jsdom',
          setupFiles: ['fake-indexeddb/auto'],
          // Compiled with the Svelte plugin, or its runes run outside a component ("rune_outside_svelte").
          server: { deps: { inline: ['@testing-library/svelte-core'] } },
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          globalSetup: ['e2e/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        // Self-hosting: the compiled server behind nginx with TLS, several nodes, backup and restore, upgrades.
        resolve: { alias },
        test: {
          name: 'deploy',
          include: ['deploy/test/**/*.test.ts'],
          globalSetup: ['deploy/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
