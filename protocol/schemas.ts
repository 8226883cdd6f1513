/**
 * Wire protocol v1: the limits and primitives every payload shares, and the handshake.
 * Each namespace's payloads are in rooms-schemas.ts and notes-schemas.ts; docs/PROTOCOL.md
 * documents each field; keep them in step.
 */
import { z } from 'zod';
import { hasVisibleCharacter, normalizeDisplayName } from './display-name.js';
import { MAX_PAGE_LENGTH } from './page-url.js';

// ---------------------------------------------------------------------------
// Limits: every string from outside has a maximum so no payload grows unbounded.

export const LIMITS = {
  clientId: 64,
  secret: 128,
  name: 40,
  channel: 64,
  key: 128,
  room: MAX_PAGE_LENGTH + 80,
  cssPath: 512,
  noteBody: 10_000,
  quote: 2_000,
  quoteContext: 64,
  selectors: 8,
  opId: 64,
  noteId: 64,
  /** Notes in one page of `notes:subscribe` / `notes:page` / `notes:export`. */
  notesPerPage: 500,
  /**
   * Serialized bytes of one page's notes (or annotations): the server stops a page before it
   * grows over this, so no answer is built bigger whatever the room holds.
   */
  pageBytes: 256 * 1024,
} as const;

/** A CSS colour as `#rrggbb`. */
export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour like #1a2b3c');

/**
 * Display name, normalised by {@link normalizeDisplayName} (NFC, no invisible or bidi-control
 * characters, spaces collapsed, trimmed), then 1..40 characters with a visible one and no
 * control characters, so one person cannot pose as another.
 */
export const Name = z
  .string()
  .max(LIMITS.name * 4)
  .transform(normalizeDisplayName)
  .pipe(
    z
      .string()
      .min(1, 'a name needs a visible character')
      .max(LIMITS.name)
      .regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed')
      .refine(hasVisibleCharacter, 'a name needs a visible character'),
  );

/** A fraction of something's size, 0..1 inclusive. */
export const Fraction = z.number().min(0).max(1);

export const RoomId = z.string().min(3).max(LIMITS.room);

// ---------------------------------------------------------------------------
// Handshake

/** Socket.IO handshake `auth`, sent on every namespace connection. */
export const Auth = z.object({
  /** Random id the extension makes once per browser profile. */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'expected 8-64 url-safe characters'),
  /** Proof of `clientId`; the server keeps a hash of the first one it saw. */
  secret: z.string().min(16).max(LIMITS.secret),
  name: Name,
  color: Color,
});
export type Auth = z.infer<typeof Auth>;
