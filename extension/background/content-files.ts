/**
 * The content scripts' built files. crxjs builds each `?script` import as an entry of its
 * own (the `.iife.ts` key shield as one plain script, the overlay behind a small loader) and
 * turns the import into the file's path in dist/. They are not in the manifest: site-access.ts
 * registers them for the sites the user granted, so none runs anywhere before that.
 */
import overlay from '../content/overlay-entry.ts?script';
import keyShield from '../content/key-shield.iife.ts?script';
import type { ContentFiles } from './site-access.js';

export const CONTENT_FILES: ContentFiles = { keyShield, overlay };
