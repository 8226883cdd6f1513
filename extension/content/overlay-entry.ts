/**
 * The overlay's entry for the scripting API (background/content-files.ts). It has a name of
 * its own because crxjs 3 mixes up two entries both named `index.ts`: the service worker's
 * loader then imported the content script instead.
 */
import './index.js';
