// Several-node mode: note events reach subscribers on every node through the Redis adapter,
// an opId retried through the other node stores one note (PostgreSQL decides), and a client
// that moves to the other node catches up by revision exactly.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Note, NoteChanged, NoteDeleted, NotesChanges, Result } from '../../protocol/index.js';
import { ask, makeAuth, type NotesClient } from '../support/clients.js';
import { PAGE, startCluster, type TestCluster } from '../support/cluster.js';
import { once } from '../support/wait.js';

const ANCHOR = { selectors: [{ type: 'TextQuoteSelector', exact: 'shared words' }] };
const opId = () => randomBytes(9).toString('base64url');

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const subscribe = async (socket: NotesClient, room: string, since?: number) =>
  value<NotesChanges>(await ask(socket, 'notes:subscribe', since === undefined ? { room } : { room, since }));

describe('several nodes: notes', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(() => cluster.dispose());

  it('broadcasts created, updated and deleted notes to subscribers on the other node', async () => {
    const room = `public|${PAGE}?t=broadcast`;
    const alice = await cluster.a.notes();
    const bob = await cluster.b.notes();
    await subscribe(alice, room);
    await subscribe(bob, room);
    const created = once<NoteChanged>(bob, 'note:created');
    const note = value<Note>(
      await ask(alice, 'note:create', { room, opId: opId(), anchor: ANCHOR, body: 'hi' }),
    );
    expect((await created).note).toEqual(note);
    // Alice again, through the other node: only the author may edit.
    const aliceOnB = await cluster.b.notes(alice.auth as object);
    await subscribe(aliceOnB, room);
    const updated = once<NoteChanged>(alice, 'note:updated');
    const edited = value<Note>(
      await ask(aliceOnB, 'note:update', { room, id: note.id, version: 1, body: 'hi there' }),
    );
    expect((await updated).note).toEqual(edited);
    const deleted = once<NoteDeleted>(bob, 'note:deleted');
    await ask(alice, 'note:delete', { room, id: note.id, version: edited.version });
    expect(await deleted).toMatchObject({ room, id: note.id });
  });

  it('stores one note for an opId retried through the other node', async () => {
    const room = `public|${PAGE}?t=retry`;
    // The same person (clientId) on both nodes, as after a reconnect through the balancer.
    const auth = makeAuth();
    const alice = await cluster.a.notes(auth);
    const again = await cluster.b.notes(auth);
    const payload = { room, opId: opId(), anchor: ANCHOR, body: 'once' };
    await subscribe(alice, room);
    await subscribe(again, room);
    const first = value<Note>(await ask(alice, 'note:create', payload));
    const second = value<Note>(await ask(again, 'note:create', payload));
    expect(second.id).toBe(first.id);
    expect((await cluster.a.store.list(room)).length).toBe(1);
  });

  it('lets a client that moved to the other node catch up from its revision', async () => {
    const room = `public|${PAGE}?t=catch-up`;
    const alice = await cluster.a.notes();
    const had = await subscribe(alice, room);
    const writer = await cluster.a.notes();
    await subscribe(writer, room);
    const before = value<Note>(
      await ask(writer, 'note:create', { room, opId: opId(), anchor: ANCHOR, body: 'a' }),
    );
    const since = before.revision ?? had.revision;
    alice.close();
    const missed = value<Note>(
      await ask(writer, 'note:create', { room, opId: opId(), anchor: ANCHOR, body: 'b' }),
    );
    const moved = await cluster.b.notes();
    const changes = await subscribe(moved, room, since);
    expect(changes.notes).toEqual([missed]);
    expect(changes.reset).toBe(false);
  });
});
