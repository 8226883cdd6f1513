/** The wire contract shared by extension/ and server/. Imports nothing of theirs. */
export * from './cursor-packing.js';
export * from './display-name.js';
export * from './errors.js';
export * from './events.js';
export * from './page-url.js';
export * from './presence.js';
export * from './schemas.js';
export * from './rooms-schemas.js';
export * from './notes-schemas.js';
export * from './point-fragment.js';
export * from './web-annotation.js';
export * from './web-annotation-import.js';
