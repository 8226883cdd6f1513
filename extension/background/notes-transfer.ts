/**
 * Export and import of a tab's room as W3C Web Annotations; the server converts. Both go
 * in bounded pieces, as many as the room or the file needs: the server exports one page per
 * `notes:export` and stores an import only as fast as the socket's note budget allows, and
 * these functions do the repeating, so the tab sends one request and gets one file or one
 * count back.
 */
import { plural, t } from '../shared/i18n.js';
import { serverErrorText, skipReasonText } from '../shared/server-errors.js';
import { z } from 'zod';
import { fail, MAX_IMPORT_ITEMS, NotesImported, ok, type Result } from '../../protocol/index.js';
import type { PortLike } from '../chrome-api.js';
import type { ContentToWorker } from '../shared/messages.js';
import { ACK_TIMEOUT_MS, patiently, request, type Connection, type NotesSocket } from './connection.js';
import { post, type TabSessions } from './tab-sessions.js';

/** One notes:import request stays this far under the server's 64 KiB message limit. */
const IMPORT_CHUNK_BYTES = 48 * 1024;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type TransferMessage = Extract<ContentToWorker, { type: 'notes:export' | 'notes:import' }>;

export class NotesTransfer {
  constructor(
    private readonly sessions: TabSessions,
    private readonly connection: Connection,
  ) {}

  /** Answers a tab's export or import request for its room. */
  async handle(tabId: number, port: PortLike, message: TransferMessage): Promise<void> {
    const entry = this.sessions.roomOf(tabId);
    const notes = this.connection.notes;
    const room = entry?.notes.subscription.state === 'subscribed' ? entry.room : null;
    if (!room || !notes) {
      post(port, { type: 'note:error', message: t('errorNotConnected') });
      return;
    }
    if (message.type === 'notes:export') {
      const result = await exportAll(notes, room);
      if (result.ok) post(port, { type: 'notes:exported', room, collection: result.value });
      else post(port, { type: 'note:error', message: t('exportFailed', serverErrorText(result.error)) });
      return;
    }
    const result = await importAll(notes, room, message.collection);
    if (result.ok) post(port, { type: 'notes:imported', room, ...result.value });
    else post(port, { type: 'note:error', message: t('importFailed', result.error.message) });
  }
}

/** Every page of `notes:export` joined into one AnnotationCollection, as one file holds it. */
export async function exportAll(socket: NotesSocket, room: string): Promise<Result<unknown>> {
  const Page = z.looseObject({
    first: z.looseObject({ items: z.array(z.unknown()), next: z.string().optional() }),
  });
  const items: unknown[] = [];
  let collection: z.infer<typeof Page> | null = null;
  let after: string | undefined;
  do {
    const payload = after === undefined ? { room } : { room, after };
    const page = await patiently(() =>
      request(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('notes:export', payload), Page),
    );
    if (!page.ok) return page;
    collection ??= page.value;
    items.push(...page.value.first.items);
    after = page.value.first.next;
  } while (after !== undefined);
  const first: Record<string, unknown> = { ...collection.first, startIndex: 0, items };
  delete first.next;
  return ok({ ...collection, total: items.length, first });
}

/** What one import adds up to over all its requests. */
export type ImportCounts = Pick<NotesImported, 'created' | 'unchanged' | 'skipped'> & {
  /** The first item the server could not use: where it is in the file (from 0), and why. */
  firstSkipped?: { index: number; message: string };
};

const ImportFile = z
  .looseObject({
    items: z.array(z.unknown()).optional(),
    first: z.looseObject({ items: z.array(z.unknown()) }).optional(),
  })
  .transform((c) => c.first?.items ?? c.items ?? []);

/** Whether an annotation is a reply (its target is another annotation), so it goes after the notes. */
function isReply(item: unknown): boolean {
  const target = (item as { target?: unknown } | null)?.target;
  const one: unknown = Array.isArray(target) ? target[0] : target;
  return typeof one === 'string' || (typeof one === 'object' && one !== null && !('source' in one));
}

/** Items of one request, with where each sits in the file (to say which one was skipped). */
interface Chunk {
  items: unknown[];
  fileIndex: number[];
}

/** The items in requests under the message limit; notes before replies so a parent goes first. */
function chunks(items: unknown[]): Chunk[] {
  const indexed = items.map((item, index) => ({ item, index }));
  const ordered = [...indexed.filter((i) => !isReply(i.item)), ...indexed.filter((i) => isReply(i.item))];
  const out: Chunk[] = [];
  let chunk: Chunk = { items: [], fileIndex: [] };
  let bytes = 0;
  for (const { item, index } of ordered) {
    const size = new TextEncoder().encode(JSON.stringify(item)).length + 1;
    const length = chunk.items.length;
    if (length > 0 && (bytes + size > IMPORT_CHUNK_BYTES || length === MAX_IMPORT_ITEMS)) {
      out.push(chunk);
      chunk = { items: [], fileIndex: [] };
      bytes = 0;
    }
    chunk.items.push(item);
    chunk.fileIndex.push(index);
    bytes += size;
  }
  if (chunk.items.length > 0) out.push(chunk);
  return out;
}

/**
 * Imports a W3C AnnotationCollection of any size: in requests under the message limit, each
 * sent again (after the server's `retryAfterMs`) until the server stored all of it. What is
 * stored already counts as unchanged the next time, so repeating is safe. A failure's message
 * is for the user, in their language.
 */
export async function importAll(
  socket: NotesSocket,
  room: string,
  collection: unknown,
): Promise<Result<ImportCounts>> {
  const file = ImportFile.safeParse(collection);
  if (!file.success) return fail('invalid', t('importNotCollection'));
  const total: ImportCounts = { created: 0, unchanged: 0, skipped: 0 };
  for (const { items, fileIndex } of chunks(file.data)) {
    const payload = { room, collection: { type: 'AnnotationCollection', items } };
    // Notes this chunk stored in earlier passes; the last pass counts them as unchanged.
    let createdBefore = 0;
    for (;;) {
      const result = await patiently(() =>
        request(() => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('notes:import', payload), NotesImported),
      );
      if (!result.ok) {
        const why = serverErrorText(result.error);
        if (total.created === 0) return fail(result.error.code, why);
        return fail(
          result.error.code,
          plural(total.created, { one: 'importPartlyOne', other: 'importPartlyOther' }, why),
        );
      }
      total.created += result.value.created;
      if (result.value.remaining === 0) {
        total.unchanged += result.value.unchanged - createdBefore;
        total.skipped += result.value.skipped;
        for (const skip of result.value.skippedItems ?? []) {
          const index = fileIndex[skip.index];
          if (index !== undefined && (total.firstSkipped?.index ?? Infinity) > index) {
            total.firstSkipped = { index, message: skipReasonText(skip) };
          }
        }
        break;
      }
      createdBefore += result.value.created;
      await wait(result.value.retryAfterMs);
    }
  }
  return ok(total);
}
