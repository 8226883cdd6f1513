/**
 * What a hostile server could slip into the overlay, checked again in the content script
 * before it reaches a style or the DOM (the worker's check alone would trust its own
 * code): colours must be `#rrggbb` (anything else, say
 * `red;background:url(https://evil)`, becomes a neutral grey, so no CSS can be injected
 * through `author.color` or a highlight rule), and names lose control, format and bidi
 * characters and are cut to the protocol's length. The worker's schemas accept any
 * string for a peer's colour and name; this module is the last gate.
 */
import { LIMITS, type Note, type Peer } from '../../protocol/index.js';
import type { PendingOp, WorkerToContent } from '../shared/messages.js';
import { t } from '../shared/i18n.js';

/** Shown for a colour that is not `#rrggbb`. */
export const NEUTRAL_COLOR = '#6b6b6b';

const COLOR = /^#[0-9a-fA-F]{6}$/;
/** Control (Cc), format (Cf: bidi overrides, zero-width), line/paragraph separators, private use, lone surrogates. */
const UNSAFE_IN_NAME = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/gu;

/** `value` when it is a `#rrggbb` colour, else `fallback`. */
export function safeColor(value: unknown, fallback = NEUTRAL_COLOR): string {
  return typeof value === 'string' && COLOR.test(value) ? value : fallback;
}

/**
 * `value` without invisible or control characters, whitespace collapsed, at most 40 characters;
 * `fallback` (or "Someone" in the UI language, looked up only then) when nothing is left.
 */
export function safeName(value: unknown, fallback?: string): string {
  if (typeof value !== 'string') return fallback ?? t('someone');
  const cleaned = value.replace(UNSAFE_IN_NAME, '').replace(/\s+/gu, ' ').trim();
  const cut = [...cleaned].slice(0, LIMITS.name).join('').trim();
  return cut === '' ? (fallback ?? t('someone')) : cut;
}

export function safePeer(peer: Peer): Peer {
  return { ...peer, name: safeName(peer.name), color: safeColor(peer.color), idle: peer.idle === true };
}

export function safeNote(note: Note): Note {
  const { color, ...rest } = note;
  const author = {
    ...note.author,
    name: safeName(note.author.name),
    color: safeColor(note.author.color),
  };
  const checked = color === undefined ? undefined : safeColor(color, '');
  return checked ? { ...rest, author, color: checked } : { ...rest, author };
}

function safeOp(op: PendingOp): PendingOp {
  const { color, ...rest } = op;
  const checked = color === undefined ? undefined : safeColor(color, '');
  return checked ? { ...rest, color: checked } : rest;
}

/** The message with every name and colour it carries checked; other fields untouched. */
export function safeMessage(message: WorkerToContent): WorkerToContent {
  switch (message.type) {
    case 'session':
      return message.active
        ? { ...message, self: safePeer(message.self), peers: message.peers.map(safePeer) }
        : message;
    case 'peers':
      return { ...message, peers: message.peers.map(safePeer) };
    case 'notes':
      return { ...message, notes: message.notes.map(safeNote) };
    case 'note:upsert':
      return { ...message, note: safeNote(message.note) };
    case 'note:conflict':
      return { ...message, theirs: message.theirs ? safeNote(message.theirs) : null };
    case 'notes:pending':
      return { ...message, ops: message.ops.map(safeOp) };
    default:
      return message;
  }
}
