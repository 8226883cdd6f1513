/**
 * Messages inside the extension: content script <-> service worker over a
 * `runtime.Port` named {@link PORT_NAME}, and popup <-> service worker over
 * `runtime.sendMessage`. One zod schema per message, a discriminated union on `type`
 * per direction, and types derived with `z.infer`. Each side parses what it receives.
 */
export * from './page-messages.js';
export * from './popup-messages.js';
