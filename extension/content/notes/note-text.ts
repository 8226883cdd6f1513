/**
 * Note text on the page: plain text as generated content of spans (overlay-text.ts: the
 * page cannot find or select it), with http(s) links made clickable by building `<a>`
 * elements whose href was checked (never from markup). Relative times are in shared/i18n.ts.
 * Nothing here parses HTML.
 */
import { textElement } from '../overlay-text.js';

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
/** Punctuation that usually ends the sentence rather than the link. */
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** The URL when it parses as http(s), else null. */
export function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** `text` as spans and `<a target=_blank rel="noopener noreferrer">` for its http(s) links. */
export function renderNoteText(doc: Document, text: string): DocumentFragment {
  const out = doc.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, '');
    const at = match.index;
    const href = safeHref(raw);
    if (!href || raw === '') continue;
    if (at > last) out.append(textElement(doc, 'span', text.slice(last, at)));
    const link = textElement(doc, 'a', raw);
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    out.append(link);
    last = at + raw.length;
  }
  if (last < text.length) out.append(textElement(doc, 'span', text.slice(last)));
  return out;
}
