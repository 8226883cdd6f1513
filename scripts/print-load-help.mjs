// Printed by `npm start` after the extension builds: where they are and how to load them.
import { resolve } from 'node:path';

const dist = resolve(import.meta.dirname, '..', 'dist');
const distFirefox = resolve(import.meta.dirname, '..', 'dist-firefox');
process.stdout.write(
  `\nExtension built into ${dist} (Chrome) and ${distFirefox} (Firefox)\n` +
    'Chrome: open chrome://extensions, switch on Developer mode, click "Load unpacked", pick the dist folder.\n' +
    'Firefox: open about:debugging, "This Firefox", "Load Temporary Add-on…", pick dist-firefox/manifest.json.\n' +
    'Then open the extension popup on any page and switch on "Share on this site".\n\n',
);
