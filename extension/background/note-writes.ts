/**
 * Every note a tab creates, edits or deletes: made into an outbox op (outbox.ts keeps it in
 * storage.local until the server answers), sent through notes-sync.ts subscribed to its room,
 * and its outcome shown to the room's tabs: the stored note, a conflict with the note as it
 * is now, or why it was refused. Ops carry what a replay by a later worker needs (the
 * private room's key), so a note written offline arrives after a worker restart too.
 */
import { t } from '../shared/i18n.js';
import { serverErrorText } from '../shared/server-errors.js';
import { Note, NoteDeletedAck, type AckError, type NoteCreate, type Result } from '../../protocol/index.js';
import type { PortLike, StorageAreaLike } from '../chrome-api.js';
import type { ContentToWorker, NoteCreateMessage, PendingOp } from '../shared/messages.js';
import { ACK_TIMEOUT_MS, request } from './connection.js';
import type { NotesSync } from './notes-sync.js';
import type { OpenRoom } from './open-rooms.js';
import { Outbox, type OutboxOp } from './outbox.js';
import { randomId } from './random-id.js';
import type { SettingsStore } from './settings.js';
import { post, type TabSessions } from './tab-sessions.js';

export interface NoteWritesHooks {
  /** An op waits for a connection that is not open. */
  needConnection(): void;
  /** The outbox emptied: the connection may close if nothing else needs it. */
  drained(): void;
}

type ChangeMessage = Extract<ContentToWorker, { type: 'note:update' | 'note:delete' }>;

export class NoteWrites {
  readonly outbox: Outbox;

  constructor(
    storageLocal: StorageAreaLike,
    private readonly settings: SettingsStore,
    private readonly sessions: TabSessions,
    private readonly notes: NotesSync,
    private readonly hooks: NoteWritesHooks,
  ) {
    this.outbox = new Outbox(storageLocal, {
      send: (op) => this.send(op),
      delivered: (op, value) => this.delivered(op, value),
      refused: (op, error) => void this.refused(op, error),
      changed: (room) => this.pendingChanged(room),
    });
  }

  /** Worker start: what a previous instance left in the outbox goes out as soon as we are connected. */
  async resume(): Promise<void> {
    await this.outbox.loaded();
    if (this.outbox.size === 0) return;
    this.hooks.needConnection();
    // Already connected (a tab's hello opened it first): nothing else would start the flush.
    this.flush();
  }

  /** `/notes` connected: send what waits. */
  flush(): void {
    void this.outbox.flush();
  }

  async create(tabId: number, port: PortLike, message: NoteCreateMessage): Promise<void> {
    const room = this.roomOf(tabId);
    if (!room) {
      post(port, { type: 'note:error', message: t('noteErrorSharingOff') });
      return;
    }
    const settings = await this.settings.load();
    const payload = {
      room,
      opId: randomId(16),
      anchor: message.anchor,
      body: message.body,
      // A reply is not highlighted; it has no colour of its own.
      ...(message.parentId ? { parentId: message.parentId } : { color: message.color ?? settings.color }),
    } satisfies NoteCreate;
    await this.enqueue(port, { kind: 'create', opId: payload.opId, ...this.replay(room), payload });
  }

  async change(tabId: number, port: PortLike, message: ChangeMessage): Promise<void> {
    const room = this.roomOf(tabId);
    if (!room) return;
    const opId = randomId(16);
    const { id, version } = message;
    const replay = this.replay(room);
    await this.enqueue(
      port,
      message.type === 'note:update'
        ? { kind: 'update', opId, ...replay, payload: { room, id, version, body: message.body, opId } }
        : { kind: 'delete', opId, ...replay, payload: { room, id, version, opId } },
    );
  }

  /** A tab joined a room: what of it still waits in the outbox. */
  showPending(entry: OpenRoom, port: PortLike | null | undefined): void {
    if (entry.room) post(port, { type: 'notes:pending', room: entry.room, ops: this.pendingOps(entry.room) });
  }

  /** The room a tab writes notes to: the server's id once joined, else the same id computed locally. */
  private roomOf(tabId: number): string | null {
    const entry = this.sessions.roomOf(tabId);
    return entry ? (entry.room ?? entry.key) : null;
  }

  /** What the op keeps for a replay: the room's invite key, when it is private. */
  private replay(room: string): { key?: string } {
    const key = this.notes.keyFor(room);
    return key ? { key } : {};
  }

  /** Writes the op to the outbox before anything is sent; a storage failure is the user's to know. */
  private async enqueue(port: PortLike, op: OutboxOp): Promise<void> {
    try {
      await this.outbox.add(op);
    } catch {
      post(port, { type: 'note:error', message: t('noteErrorNotStored') });
    }
  }

  /** The outbox's way to the server (null: not connected; the op waits for the next flush). */
  private async send(op: OutboxOp): Promise<Result<unknown> | null> {
    const result = await this.notes.whileSubscribed(op.payload.room, op.key ?? null, (notes) => {
      const timed = notes.timeout(ACK_TIMEOUT_MS);
      switch (op.kind) {
        case 'create':
          return request(() => timed.emitWithAck('note:create', op.payload), Note);
        case 'update':
          return request(() => timed.emitWithAck('note:update', op.payload), Note);
        case 'delete':
          return request(() => timed.emitWithAck('note:delete', op.payload), NoteDeletedAck);
      }
    });
    if (result === null) this.hooks.needConnection();
    return result;
  }

  private delivered(op: OutboxOp, value: unknown): void {
    // The server broadcasts note:created/updated/deleted only to the others; our own tabs hear it here.
    if (op.kind === 'delete') {
      this.notes.delivered(op.payload.room, {
        deleted: op.payload.id,
        revision: NoteDeletedAck.parse(value).revision,
      });
    } else {
      this.notes.delivered(op.payload.room, { note: Note.parse(value) });
    }
  }

  /** A refusal retrying cannot fix: show it, and for a stale edit show the note as it is now. */
  private async refused(op: OutboxOp, error: AckError): Promise<void> {
    const room = op.payload.room;
    const entry = this.sessions.byRoomId(room);
    if (!entry) return;
    if (error.code === 'conflict' && op.kind !== 'create') {
      const theirs = await this.notes.current(room, op.key ?? null, op.payload.id);
      if (theirs) this.notes.remember(entry, theirs);
      this.sessions.broadcast(entry, {
        type: 'note:conflict',
        room,
        id: op.payload.id,
        mine: op.kind === 'update' ? op.payload.body : '',
        theirs,
      });
      return;
    }
    const what =
      op.kind === 'create' ? 'noteErrorCreate' : op.kind === 'update' ? 'noteErrorUpdate' : 'noteErrorDelete';
    this.sessions.broadcast(entry, { type: 'note:error', message: t(what, serverErrorText(error)) });
  }

  private pendingOps(room: string): PendingOp[] {
    return this.outbox.pending(room).map((op): PendingOp => {
      switch (op.kind) {
        case 'create': {
          const { body, anchor, color, parentId } = op.payload;
          return { opId: op.opId, kind: 'create', body, anchor, color, parentId };
        }
        case 'update':
          return { opId: op.opId, kind: 'update', id: op.payload.id, body: op.payload.body };
        case 'delete':
          return { opId: op.opId, kind: 'delete', id: op.payload.id };
      }
    });
  }

  private pendingChanged(room: string): void {
    const entry = this.sessions.byRoomId(room);
    if (entry) this.sessions.broadcast(entry, { type: 'notes:pending', room, ops: this.pendingOps(room) });
    if (this.outbox.size === 0) this.hooks.drained();
  }
}
