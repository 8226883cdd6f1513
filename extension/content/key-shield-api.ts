/**
 * What the document_start key shield (key-shield.iife.ts) and the overlay share. Both are
 * content scripts of this extension, so they run in one isolated world and meet on its
 * `globalThis`, which the page cannot see.
 */

export const KEY_SHIELD = '__copresenceKeyShield';

/** Events that carry what the user types (keys, text, IME, clipboard); all are composed. */
export const SHIELDED_EVENTS = [
  'keydown',
  'keyup',
  'keypress',
  'beforeinput',
  'input',
  'textInput',
  'compositionstart',
  'compositionupdate',
  'compositionend',
  'paste',
  'copy',
  'cut',
] as const;

export interface KeyShield {
  /** The overlay host: events that reach the window with this target come from our editors. */
  host: EventTarget | null;
  /** Hands a stopped event to the overlay, which calls its editors' handlers. */
  route: ((event: Event) => void) | null;
}

/** The shield when it was installed at document_start, else null (then nothing is shielded). */
export function keyShield(): KeyShield | null {
  const found = (globalThis as unknown as Record<string, KeyShield | undefined>)[KEY_SHIELD];
  return found ?? null;
}
