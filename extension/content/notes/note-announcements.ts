/**
 * What the overlay's live region says when someone else's note or reply arrives: who,
 * on which words, and the start of the text, so a screen reader user knows whether to
 * go and read it without hearing a long note read out whole.
 */
import type { Note } from '../../../protocol/index.js';
import { t } from '../../shared/i18n.js';
import { safeName } from '../safe-values.js';
import { quoteOf } from './note-anchors.js';

/** Characters of a note's text (and of its quoted words) that are read out. */
export const SPOKEN_CHARS = 140;

function excerpt(text: string, max = SPOKEN_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** The announcement for a note that just arrived, or null when there is nothing to say (our own). */
export function arrivalMessage(note: Note, selfId: string | null): string | null {
  if (selfId === null || note.author.id === selfId) return null;
  const name = safeName(note.author.name);
  const body = excerpt(note.body);
  if (note.parentId) return t('a11yReplyAdded', name, body);
  const quote = quoteOf(note.anchor.selectors);
  return quote ? t('a11yNoteAdded', name, excerpt(quote, 60), body) : t('a11yNoteAddedAtPoint', name, body);
}
