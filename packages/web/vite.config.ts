import { sveltekit } from '@sveltejs/kit/vite';
import { defaultClientConditions, defaultServerConditions, defineConfig } from 'vite';

const apiServer = 'http://localhost:8080';

export default defineConfig({
  plugins: [sveltekit()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    proxy: {
      '/api': apiServer,
      '/ws': { target: apiServer, ws: true },
    },
  },
  ssr: {
    resolve: { conditions: ['source', ...defaultServerConditions] },
    // The workspace hoists cookie@2 (from the server's deps); bundle the copy Kit itself depends on.
    noExternal: ['cookie'],
  },
});
