/**
 * Notes as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), for export. Pure
 * conversion, no I/O: the server calls it for `notes:export`; web-annotation-import.ts reads
 * collections back for `notes:import`.
 *
 * One note is one `Annotation`:
 * - `id` `urn:copresence:note:<note id>`, `created` / `modified` from the note's times,
 *   `creator` a `Person` with the author's peer id and name;
 * - `body` a `TextualBody` (`text/plain`) with the note's text;
 * - a top-level note (`motivation: commenting`) targets the page: `{ source, selector[] }`
 *   with the note's selectors (W3C selectors already; a point is rewritten as Media
 *   Fragments allow it, point-fragment.ts), its colour as a `CssStylesheet` plus `styleClass`
 *   on the target (a reply's colour too);
 * - a reply (`motivation: replying`) targets its parent annotation's id, also when that note
 *   was deleted (replies outlive their parent), and the page too if it has selectors.
 * The collection is an `AnnotationCollection` whose `id` names the room; its `first` page
 * holds one bounded page of the room's notes, so no answer grows with the room, and
 * `first.next`, when present, is the IRI of the following page, which `notes:export` takes
 * as `after`. A client that wants one file joins the pages' items.
 */
import { pointToW3C, type W3CFragmentSelector } from './point-fragment.js';
import type { Note, Selector } from './notes-schemas.js';

export const ANNOTATION_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
/** The most annotations one `notes:import` takes (the 64 KiB message limit usually bites first). */
export const MAX_IMPORT_ITEMS = 500;
const NOTE_URN = 'urn:copresence:note:';
const PEER_URN = 'urn:copresence:peer:';
const ROOM_URN = 'urn:copresence:notes:';
/** Between a collection's id and a page's cursor in the page's id. */
const AFTER = ':after:';
const STYLE_CLASS = 'copresence-highlight';

export interface TextualBody {
  type: 'TextualBody';
  value: string;
  format: 'text/plain';
  purpose: 'commenting' | 'replying';
}

/** A selector as exported: the stored ones, a point in the form Media Fragments allow. */
export type W3CSelector = Exclude<Selector, { type: 'FragmentSelector' }> | W3CFragmentSelector;

export interface PageTarget {
  source: string;
  selector: W3CSelector[];
  styleClass?: string;
}

export interface WebAnnotation {
  id: string;
  type: 'Annotation';
  motivation: 'commenting' | 'replying';
  created: string;
  modified: string;
  creator: { id: string; type: 'Person'; name: string };
  body: TextualBody;
  /** The page; a reply's parent annotation, and the page as well when the reply has selectors. */
  target: PageTarget | string | [string, PageTarget];
  stylesheet?: { type: 'CssStylesheet'; value: string };
}

export interface AnnotationPage {
  /** {@link pageIdOf}: the collection's id and the cursor the page starts after. */
  id: string;
  type: 'AnnotationPage';
  /** Index of the page's first item among all of the room's notes. */
  startIndex: number;
  items: WebAnnotation[];
  /** The next page's id, to send as `notes:export { room, after }`; absent on the last page. */
  next?: string;
}

export interface AnnotationCollection {
  '@context': typeof ANNOTATION_CONTEXT;
  /** {@link collectionIdOf} the room. */
  id: string;
  type: 'AnnotationCollection';
  label: string;
  total: number;
  first: AnnotationPage;
}

/** Where an exported page sits in the room; a whole export when left out. */
export interface CollectionPaging {
  total: number;
  startIndex: number;
  /** The cursor this page starts after; null for the first page. */
  after: string | null;
  next: string | null;
}

export const annotationIdOf = (noteId: string): string => NOTE_URN + noteId;

/** The IRI of a room's notes as a collection (a URN: the room id, percent-encoded). */
export const collectionIdOf = (room: string): string => ROOM_URN + encodeURIComponent(room);

/** The IRI of the page of a room's export that starts after the cursor (`0`: the first). */
export const pageIdOf = (room: string, after: string | null): string =>
  collectionIdOf(room) + AFTER + (after ?? '0');

/**
 * The store cursor an export's `after` stands for: the id of one of this room's pages (a
 * `first.next`), or a bare cursor as older clients send. Null when it names another room.
 */
export function exportCursorOf(room: string, after: string): string | null {
  const prefix = collectionIdOf(room) + AFTER;
  const cursor = after.startsWith(prefix) ? after.slice(prefix.length) : after;
  return /^[0-9]{1,16}$/.test(cursor) ? cursor : null;
}

const toW3C = (selector: Selector): W3CSelector =>
  selector.type === 'FragmentSelector' ? pointToW3C(selector) : selector;

/** One note as an Annotation targeting `page`. */
export function noteToAnnotation(note: Note, page: string): WebAnnotation {
  const reply = note.parentId !== undefined;
  const onPage: PageTarget = {
    source: page,
    selector: note.anchor.selectors.map(toW3C),
    ...(note.color ? { styleClass: STYLE_CLASS } : {}),
  };
  const parent = reply ? annotationIdOf(note.parentId!) : null;
  const annotation: WebAnnotation = {
    id: annotationIdOf(note.id),
    type: 'Annotation',
    motivation: reply ? 'replying' : 'commenting',
    created: note.createdAt,
    modified: note.updatedAt,
    creator: { id: PEER_URN + note.author.id, type: 'Person', name: note.author.name },
    body: {
      type: 'TextualBody',
      value: note.body,
      format: 'text/plain',
      purpose: reply ? 'replying' : 'commenting',
    },
    target: parent === null ? onPage : onPage.selector.length > 0 ? [parent, onPage] : parent,
  };
  // A reply's colour too, though a reply without a place on the page has no target to style.
  if (note.color) {
    annotation.stylesheet = {
      type: 'CssStylesheet',
      value: `.${STYLE_CLASS} { background-color: ${note.color} }`,
    };
  }
  return annotation;
}

/** Where a collection belongs: the room (its id) and the room's page (the targets' source). */
export interface CollectionOf {
  room: string;
  page: string;
}

/** A room's notes (oldest first), or one page of them, as an AnnotationCollection. */
export function notesToCollection(
  notes: readonly Note[],
  of: CollectionOf,
  paging?: CollectionPaging,
): AnnotationCollection {
  return annotationsToCollection(
    notes.map((note) => noteToAnnotation(note, of.page)),
    of,
    paging,
  );
}

/** Annotations made by {@link noteToAnnotation} as an AnnotationCollection. */
export function annotationsToCollection(
  items: WebAnnotation[],
  { room, page }: CollectionOf,
  paging: CollectionPaging = { total: items.length, startIndex: 0, after: null, next: null },
): AnnotationCollection {
  return {
    '@context': ANNOTATION_CONTEXT,
    id: collectionIdOf(room),
    type: 'AnnotationCollection',
    label: `Notes on ${page}`,
    total: paging.total,
    first: {
      id: pageIdOf(room, paging.after),
      type: 'AnnotationPage',
      startIndex: paging.startIndex,
      items,
      ...(paging.next === null ? {} : { next: pageIdOf(room, paging.next) }),
    },
  };
}
