// Printed by `npm start` after the extension build: where it is and how to load it.
import { resolve } from 'node:path';

const dist = resolve(import.meta.dirname, '..', 'dist');
process.stdout.write(
  `\nExtension built into ${dist}\n` +
    'Load it: open chrome://extensions, switch on Developer mode, click "Load unpacked", pick that folder.\n' +
    'Then open the extension popup on any page and switch on "Share on this site".\n\n',
);
