/**
 * Notes as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), for export and
 * import. Pure conversion, no I/O: the server calls it for `notes:export` / `notes:import`.
 *
 * One note is one `Annotation`:
 * - `id` `urn:copresence:note:<note id>`, `created` / `modified` from the note's times,
 *   `creator` a `Person` with the author's peer id and name;
 * - `body` a `TextualBody` (`text/plain`) with the note's text;
 * - a top-level note (`motivation: commenting`) targets the page: `{ source, selector[] }`
 *   with the note's selectors as they are (they are W3C selectors already), its colour as
 *   a `CssStylesheet` plus `styleClass` on the target;
 * - a reply (`motivation: replying`) targets its parent annotation's id.
 * The collection is an `AnnotationCollection`; its `first` page holds one page of the room's
 * notes (issue 10: no answer grows with the room), and `first.next`, when present, is the
 * cursor of the following page. A client that wants one file joins the pages' items.
 */
import { z } from 'zod';
import { Color, LIMITS, NoteAnchor, NoteBody, Selector, type Note } from './schemas.js';

export const ANNOTATION_CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
/** The most annotations one `notes:import` takes (the 64 KiB message limit usually bites first). */
export const MAX_IMPORT_ITEMS = 500;
const NOTE_URN = 'urn:copresence:note:';
const PEER_URN = 'urn:copresence:peer:';
const STYLE_CLASS = 'copresence-highlight';

export interface TextualBody {
  type: 'TextualBody';
  value: string;
  format: 'text/plain';
  purpose: 'commenting' | 'replying';
}

export interface WebAnnotation {
  id: string;
  type: 'Annotation';
  motivation: 'commenting' | 'replying';
  created: string;
  modified: string;
  creator: { id: string; type: 'Person'; name: string };
  body: TextualBody;
  target: string | { source: string; selector: Selector[]; styleClass?: string };
  stylesheet?: { type: 'CssStylesheet'; value: string };
}

export interface AnnotationCollection {
  '@context': typeof ANNOTATION_CONTEXT;
  type: 'AnnotationCollection';
  label: string;
  total: number;
  first: {
    type: 'AnnotationPage';
    /** Index of the page's first item among all of the room's notes. */
    startIndex: number;
    items: WebAnnotation[];
    /** Cursor for `notes:export { room, after }`; absent on the last page. */
    next?: string;
  };
}

/** Where an exported page sits in the room; a whole export when left out. */
export interface CollectionPaging {
  total: number;
  startIndex: number;
  next: string | null;
}

export const annotationIdOf = (noteId: string): string => NOTE_URN + noteId;

/** One note as an Annotation targeting `page`. */
export function noteToAnnotation(note: Note, page: string): WebAnnotation {
  const reply = note.parentId !== undefined;
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
    target: reply
      ? annotationIdOf(note.parentId!)
      : {
          source: page,
          selector: note.anchor.selectors,
          ...(note.color ? { styleClass: STYLE_CLASS } : {}),
        },
  };
  if (!reply && note.color) {
    annotation.stylesheet = {
      type: 'CssStylesheet',
      value: `.${STYLE_CLASS} { background-color: ${note.color} }`,
    };
  }
  return annotation;
}

/** A room's notes (oldest first), or one page of them, as an AnnotationCollection. */
export function notesToCollection(
  notes: readonly Note[],
  page: string,
  label = `Notes on ${page}`,
  paging?: CollectionPaging,
): AnnotationCollection {
  return annotationsToCollection(
    notes.map((note) => noteToAnnotation(note, page)),
    page,
    label,
    paging,
  );
}

/** Annotations made by {@link noteToAnnotation} as an AnnotationCollection. */
export function annotationsToCollection(
  items: WebAnnotation[],
  page: string,
  label = `Notes on ${page}`,
  paging: CollectionPaging = { total: items.length, startIndex: 0, next: null },
): AnnotationCollection {
  return {
    '@context': ANNOTATION_CONTEXT,
    type: 'AnnotationCollection',
    label,
    total: paging.total,
    first: {
      type: 'AnnotationPage',
      startIndex: paging.startIndex,
      items,
      ...(paging.next === null ? {} : { next: paging.next }),
    },
  };
}

// ---------------------------------------------------------------------------
// Import: lenient about what other tools write (single values or arrays, `items` on the
// collection itself), strict about what becomes a note.

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((value) => (Array.isArray(value) ? value : [value]));

const ImportBody = z.union([
  z.string(),
  z.object({ type: z.string().optional(), value: z.string(), purpose: z.string().optional() }),
]);

const ImportTarget = z.union([
  z.string(),
  z.object({
    id: z.string().optional(),
    source: z.string().optional(),
    // Selectors we do not know (XPath, SVG, ...) are dropped, not fatal.
    selector: oneOrMany(z.unknown()).optional(),
  }),
]);

export const ImportedAnnotation = z.object({
  id: z.string().min(1).max(512),
  type: z.union([z.literal('Annotation'), z.array(z.string()).refine((t) => t.includes('Annotation'))]),
  motivation: z.string().optional(),
  body: oneOrMany(ImportBody),
  target: oneOrMany(ImportTarget),
  stylesheet: z.object({ value: z.string().max(1000) }).optional(),
});
export type ImportedAnnotation = z.infer<typeof ImportedAnnotation>;

/** What `notes:import` accepts: an AnnotationCollection (items in `first.items` or `items`). */
export const ImportedCollection = z
  .object({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    items: z.array(z.unknown()).optional(),
    first: z.object({ items: z.array(z.unknown()) }).optional(),
  })
  .transform((c) => c.first?.items ?? c.items ?? [])
  .pipe(z.array(z.unknown()).max(MAX_IMPORT_ITEMS));

/** A note to create from one annotation; `parent` names another annotation of the import. */
export interface ImportedNote {
  annotationId: string;
  parent?: string;
  anchor: NoteAnchor;
  body: string;
  color?: string;
}

function colorOf(stylesheet: { value: string } | undefined): string | undefined {
  const match = stylesheet && /background(?:-color)?\s*:\s*(#[0-9a-fA-F]{6})\b/.exec(stylesheet.value);
  return match ? Color.parse(match[1]) : undefined;
}

/**
 * The notes an imported collection holds, parents before their replies. An item that is
 * not an annotation we can use (no text body, no usable target) is skipped and counted. A
 * reply whose parent is not in the collection comes last: its parent may have been imported
 * before (a big file goes in several requests, issue 10); the server skips it otherwise.
 */
export function collectionToNotes(items: readonly unknown[]): { notes: ImportedNote[]; skipped: number } {
  const parsed: ImportedNote[] = [];
  let skipped = 0;
  for (const raw of items) {
    const item = ImportedAnnotation.safeParse(raw);
    const text = item.success
      ? item.data.body.map((b) => (typeof b === 'string' ? b : b.value)).find((v) => v.trim())
      : undefined;
    const body = NoteBody.safeParse(text ?? '');
    if (!item.success || !body.success) {
      skipped++;
      continue;
    }
    const target = item.data.target[0]!;
    if (typeof target === 'string' || (target.source === undefined && target.id !== undefined)) {
      // A reply: its target is another annotation.
      parsed.push({
        annotationId: item.data.id,
        parent: typeof target === 'string' ? target : target.id!,
        anchor: { selectors: [] },
        body: body.data,
      });
      continue;
    }
    const selectors = (target.selector ?? []).flatMap((s) => {
      const ok = Selector.safeParse(s);
      return ok.success ? [ok.data] : [];
    });
    const anchor = NoteAnchor.safeParse({ selectors: selectors.slice(0, LIMITS.selectors) });
    if (!anchor.success) {
      skipped++;
      continue;
    }
    const color = colorOf(item.data.stylesheet);
    parsed.push({
      annotationId: item.data.id,
      anchor: anchor.data,
      body: body.data,
      ...(color ? { color } : {}),
    });
  }
  // Parents first; replies whose parent never appears (or that form a cycle) last, in file order.
  const known = new Set<string>();
  const ordered: ImportedNote[] = [];
  let pending = parsed;
  for (;;) {
    const next: ImportedNote[] = [];
    for (const note of pending) {
      if (note.parent === undefined || known.has(note.parent)) {
        ordered.push(note);
        known.add(note.annotationId);
      } else {
        next.push(note);
      }
    }
    if (next.length === pending.length) {
      ordered.push(...next);
      break;
    }
    pending = next;
  }
  return { notes: ordered, skipped };
}
