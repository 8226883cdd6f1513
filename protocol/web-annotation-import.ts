/**
 * Reading W3C Web Annotations back into notes for `notes:import`. Lenient about how other
 * tools write the model (single values or arrays, `items` on the collection itself,
 * `bodyValue`), strict about what becomes a note: text, on this room's page, at a place we
 * can find again. Every item that does not become a note is named in the answer with why.
 */
import { z } from 'zod';
import { normalizePageUrl } from './page-url.js';
import { pointFromW3C } from './point-fragment.js';
import { Color, LIMITS } from './schemas.js';
import {
  NoteAnchor,
  NoteBody,
  Selector,
  type ImportSkippedItem,
  type ImportSkipReason,
} from './notes-schemas.js';
import { MAX_IMPORT_ITEMS } from './web-annotation.js';

const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((value) => (Array.isArray(value) ? value : [value]));

const AnnotationId = z.string().min(1).max(512);

const ImportedAnnotation = z.object({
  id: AnnotationId,
  type: z.union([z.literal('Annotation'), z.array(z.string()).refine((t) => t.includes('Annotation'))]),
  motivation: oneOrMany(z.string()).optional(),
  body: oneOrMany(z.unknown()).optional(),
  bodyValue: z.string().optional(),
  target: oneOrMany(z.unknown()).pipe(z.array(z.unknown()).min(1)),
  stylesheet: z.looseObject({ value: z.string().max(1000) }).optional(),
});
type ImportedAnnotation = z.infer<typeof ImportedAnnotation>;

/** What `notes:import` accepts: an AnnotationCollection (items in `first.items` or `items`). */
export const ImportedCollection = z
  .object({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    items: z.array(z.unknown()).optional(),
    first: z.object({ items: z.array(z.unknown()) }).optional(),
  })
  .transform((c) => c.first?.items ?? c.items ?? [])
  .pipe(z.array(z.unknown()).max(MAX_IMPORT_ITEMS));

/** A note to create from one annotation; `parent` names another annotation (of the import or not). */
export interface ImportedNote {
  /** The item's index in the import. */
  index: number;
  annotationId: string;
  parent?: string;
  anchor: NoteAnchor;
  body: string;
  color?: string;
}

const MESSAGE_CHARS = 200;
const clip = (text: string) => (text.length > MESSAGE_CHARS ? text.slice(0, MESSAGE_CHARS - 1) + '…' : text);

const TextualBody = z.looseObject({
  type: z
    .union([z.literal('TextualBody'), z.array(z.string()).refine((t) => t.includes('TextualBody'))])
    .optional(),
  value: z.string(),
  purpose: z.union([z.string(), z.array(z.string())]).optional(),
});

/** The note's text: the first textual body meant as a comment (not a tag), or `bodyValue`. */
function textOf(item: ImportedAnnotation): { text: string } | { skip: ImportSkipReason; message: string } {
  if (item.bodyValue !== undefined) return { text: item.bodyValue };
  const textual = (item.body ?? []).flatMap((b) => {
    const ok = TextualBody.safeParse(b);
    return ok.success ? [ok.data] : [];
  });
  const tagOnly = (b: z.infer<typeof TextualBody>) =>
    [b.purpose ?? []].flat().every((p) => p === 'tagging') && b.purpose !== undefined;
  const chosen = textual.find((b) => !tagOnly(b) && b.value.trim()) ?? textual.find((b) => b.value.trim());
  if (chosen) return { text: chosen.value };
  const first = item.body?.[0];
  const what =
    first === undefined
      ? 'it has no body'
      : typeof first === 'string'
        ? `its body is a link to ${first}, not text`
        : textual.length > 0
          ? 'its text is empty'
          : 'its body is not text';
  return { skip: textual.length > 0 ? 'bad_text' : 'no_text_body', message: clip(what) };
}

type Target = { kind: 'annotation'; id: string } | { kind: 'page'; source: string; selectors: unknown[] };

/**
 * A target string (or an object without `source`) is the annotation replied to when it names
 * one of the import, when the annotation says it is a reply, or when it is no web page; else
 * it is a web page annotated as a whole.
 */
function targetsOf(item: ImportedAnnotation, known: ReadonlySet<string>): Target[] {
  const replying = item.motivation?.includes('replying') ?? false;
  return item.target.flatMap((raw): Target[] => {
    const object = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : null;
    const source = object ? object.source : undefined;
    if (typeof source === 'string') {
      const selector = object!.selector;
      const selectors = selector === undefined ? [] : Array.isArray(selector) ? selector : [selector];
      return [{ kind: 'page', source, selectors }];
    }
    const iri = typeof raw === 'string' ? raw : typeof object?.id === 'string' ? object.id : null;
    if (iri === null || iri.length > 2048) return [];
    if (known.has(iri) || replying || !/^https?:/i.test(iri)) return [{ kind: 'annotation', id: iri }];
    return [{ kind: 'page', source: iri, selectors: [] }];
  });
}

/**
 * The selectors we can anchor, in stored form. A Media Fragments selector counts only as a
 * point in percent (converted to the stored form): pixels or a box would place no note.
 */
function usableSelectors(raw: readonly unknown[]): { selectors: Selector[]; unknown: string[] } {
  const selectors: Selector[] = [];
  const unknown: string[] = [];
  for (const s of raw) {
    const type = (s as { type?: unknown } | null)?.type;
    const parsed = type === 'FragmentSelector' ? null : Selector.safeParse(s);
    const selector = parsed === null ? pointFromW3C(s) : parsed.success ? parsed.data : null;
    if (selector) selectors.push(selector);
    else unknown.push(String(type ?? 'unknown'));
  }
  return { selectors: selectors.slice(0, LIMITS.selectors), unknown };
}

function colorOf(stylesheet: { value: string } | undefined): string | undefined {
  const match = stylesheet && /background(?:-color)?\s*:\s*(#[0-9a-fA-F]{6})\b/.exec(stylesheet.value);
  return match ? Color.parse(match[1]) : undefined;
}

type Outcome = { note: ImportedNote } | { skip: ImportSkipReason; message: string };

function noteOf(item: ImportedAnnotation, index: number, page: string, known: ReadonlySet<string>): Outcome {
  const text = textOf(item);
  if ('skip' in text) return text;
  const body = NoteBody.safeParse(text.text);
  if (!body.success) {
    return { skip: 'bad_text', message: `its text is empty or over ${LIMITS.noteBody} characters` };
  }
  const targets = targetsOf(item, known);
  const parent = targets.find((t) => t.kind === 'annotation')?.id;
  const pages = targets.flatMap((t) => (t.kind === 'page' ? [t] : []));
  const here = pages.find((t) => normalizePageUrl(t.source) === page);
  if (pages.length > 0 && here === undefined && parent === undefined) {
    return { skip: 'other_page', message: clip(`it annotates ${pages[0]!.source}, not ${page}`) };
  }
  if (parent === undefined && here === undefined) {
    return { skip: 'not_an_annotation', message: 'its target is neither a page nor an annotation' };
  }
  const { selectors, unknown } = usableSelectors(here?.selectors ?? []);
  if (parent === undefined) {
    if (here!.selectors.length === 0) {
      return { skip: 'no_selector', message: 'it annotates the whole page; a note needs a place on it' };
    }
    if (selectors.length === 0) {
      return {
        skip: 'unsupported_selector',
        message: clip(`no selector we can anchor (${[...new Set(unknown)].join(', ')})`),
      };
    }
  }
  const anchor = NoteAnchor.parse({ selectors });
  const color = colorOf(item.stylesheet);
  return {
    note: {
      index,
      annotationId: item.id,
      ...(parent === undefined ? {} : { parent }),
      anchor,
      body: body.data,
      ...(color ? { color } : {}),
    },
  };
}

/**
 * The notes an import's items hold for the room on `page` (normalised), in file order with
 * parents before their replies, and the items skipped, each with why. A reply's parent that is
 * not among the notes may have been imported before (a big file goes in several requests), or
 * be gone, as a parent deleted in the room the file was exported from.
 */
export function collectionToNotes(
  items: readonly unknown[],
  page: string,
): { notes: ImportedNote[]; skipped: ImportSkippedItem[] } {
  const parsed = items.map((raw) => ImportedAnnotation.safeParse(raw));
  const known = new Set(parsed.flatMap((p) => (p.success ? [p.data.id] : [])));
  const seen = new Set<string>();
  const notes: ImportedNote[] = [];
  const skipped: ImportSkippedItem[] = [];
  for (const [index, item] of parsed.entries()) {
    const rawId = (items[index] as { id?: unknown } | null)?.id;
    const id = AnnotationId.safeParse(rawId).success ? { id: rawId as string } : {};
    if (!item.success) {
      const issue = item.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      skipped.push({
        index,
        ...id,
        reason: 'not_an_annotation',
        message: clip(where + (issue?.message ?? '')),
      });
      continue;
    }
    if (seen.has(item.data.id)) {
      skipped.push({ index, ...id, reason: 'duplicate_id', message: 'an earlier item has the same id' });
      continue;
    }
    seen.add(item.data.id);
    const outcome = noteOf(item.data, index, page, known);
    if ('note' in outcome) notes.push(outcome.note);
    else skipped.push({ index, ...id, reason: outcome.skip, message: outcome.message });
  }
  return { notes: parentsFirst(notes), skipped };
}

/**
 * File order, except that a reply whose parent comes later in the import moves after it. A
 * reply whose parent is not among the notes keeps its place: nothing in this import can come
 * before it, and the server resolves it (an earlier import, or a parent that is gone).
 */
function parentsFirst(parsed: readonly ImportedNote[]): ImportedNote[] {
  const inImport = new Set(parsed.map((note) => note.annotationId));
  const placed = new Set<string>();
  const ordered: ImportedNote[] = [];
  let pending = parsed;
  for (;;) {
    const next: ImportedNote[] = [];
    for (const note of pending) {
      if (note.parent === undefined || placed.has(note.parent) || !inImport.has(note.parent)) {
        ordered.push(note);
        placed.add(note.annotationId);
      } else {
        next.push(note);
      }
    }
    // What is left waits for itself (a cycle): file order.
    if (next.length === pending.length) {
      ordered.push(...next);
      return ordered;
    }
    pending = next;
  }
}
