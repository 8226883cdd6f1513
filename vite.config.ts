// Builds the extension into dist/ with @crxjs/vite-plugin reading manifest.json.
import { crx } from '@crxjs/vite-plugin';
import { defineConfig } from 'vite';
import manifest from './manifest.json' with { type: 'json' };

export default defineConfig({
  plugins: [crx({ manifest })],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'chrome120' },
  server: { port: 5173, strictPort: true },
});
