// Builds the extension with @crxjs/vite-plugin reading manifest.json: Chrome into dist/,
// and with `--mode firefox` (npm run build:firefox) Firefox into dist-firefox/.
import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import { defineConfig } from 'vite';
import manifest from './manifest.json' with { type: 'json' };
import { toFirefoxManifest } from './scripts/firefox-manifest.js';

export default defineConfig(({ mode }) => {
  const firefox = mode === 'firefox';
  return {
    plugins: [
      crx({
        manifest: (firefox ? toFirefoxManifest(manifest) : manifest) as ManifestV3Export,
        browser: firefox ? 'firefox' : 'chrome',
      }),
    ],
    build: {
      outDir: firefox ? 'dist-firefox' : 'dist',
      emptyOutDir: true,
      sourcemap: true,
      target: firefox ? 'firefox140' : 'chrome120',
    },
    server: { port: 5173, strictPort: true },
  };
});
