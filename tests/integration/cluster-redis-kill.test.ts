// SIGKILL Redis under two running nodes (real processes, PostgreSQL, nginx): people on the
// same node keep seeing each other's cursors, notes are still stored, /healthz says Redis is
// down; Redis restarted empty: cross-node cursors and presence come back by themselves,
// with no ghost and no missing note.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NoteChanged, Result, RoomJoined, RoomSummary } from '../../protocol/index.js';
import { ask, connectNotes, connectRooms } from '../support/clients.js';
import { healthOf, startClusterRig, TEST_TTL_MS, type ClusterRig } from '../support/cluster-rig.js';
import { startUser, type ClusterUser } from '../support/cluster-user.js';
import { allNotes } from '../support/notes-pages.js';
import { once, record } from '../support/wait.js';

const PAGE = 'https://example.com/redis-kill';
/** Cross-node traffic must resume within this long of Redis accepting connections again. */
const RESUMED_WITHIN_MS = 5_000;

let rig: ClusterRig;
let alice: ClusterUser;
let bob: ClusterUser;
let carol: ClusterUser;
beforeAll(async () => {
  rig = await startClusterRig();
  const [a, b] = rig.nodes;
  const common = { page: PAGE, keepAliveMs: TEST_TTL_MS / 4, reconnect: false };
  // Alice and Bob share node a; Carol is alone on node b.
  alice = await startUser({ ...common, url: a.url, name: 'Alice', cursorFormat: 'packed' });
  bob = await startUser({ ...common, url: a.url, name: 'Bob', cursorFormat: 'objects' });
  carol = await startUser({ ...common, url: b.url, name: 'Carol', cursorFormat: 'packed' });
}, 60_000);
afterAll(async () => {
  for (const user of [alice, bob, carol]) user?.close();
  await rig?.dispose();
});

const idOf = (user: ClusterUser) => user.joined().self.id;

/** Alice's cursor at a new x every 20 ms until `stop` is called, as a moving pointer. */
function keepMoving(user: ClusterUser): { stop(): void; latestX(): number } {
  let x = 0.001;
  const timer = setInterval(() => {
    x = Math.round((x + 0.001) * 1000) / 1000;
    user.rooms.emit('cursor:move', { room: user.joined().room, cursor: { x, y: 0.5 } });
  }, 20);
  return { stop: () => clearInterval(timer), latestX: () => x };
}

it('keeps same-node cursors going without Redis and resumes cross-node traffic and presence when it returns', async () => {
  for (const user of [alice, bob, carol]) {
    const others = [alice, bob, carol].filter((other) => other !== user).map(idOf);
    await user.view.until(user.rooms, (peers) => others.every((id) => peers.has(id)));
  }
  const before = await alice.createNote('before the outage');
  expect(before.result).toMatchObject({ ok: true });
  await once<NoteChanged>(carol.notes, 'note:created', (event) => event.note.body === 'before the outage');
  // Carol's client never disconnects: what she hears live is all she gets without node b's mend.
  const carolHeard = record<NoteChanged>(carol.notes, 'note:created');
  // Node b sends her the note written during the outage once Redis is back.
  const missedNote = once<NoteChanged>(
    carol.notes,
    'note:created',
    (event) => event.note.body === 'during the outage',
    30_000,
  );

  await rig.redis.kill();
  const moving = keepMoving(alice);
  try {
    // Same node: Bob keeps seeing Alice move, at once.
    const from = moving.latestX();
    const killedAt = performance.now();
    const seen = await bob.view.cursorFrom(idOf(alice), (cursor) => (cursor?.x ?? 0) > from, 2_000);
    console.warn(
      `redis down: same-node cursor delivered ${(seen.atMs - killedAt).toFixed(0)} ms after the kill`,
    );
    // The node says it runs degraded, and stays in the balancer: it still serves its own people.
    expect(await healthOf(rig.nodes[0].url)).toEqual({
      status: 200,
      body: { ok: true, store: 'ok', node: 'node-a', redis: 'down' },
    });
    // Notes do not need Redis to be stored.
    const during = await alice.createNote('during the outage');
    expect(during.result).toMatchObject({ ok: true });

    // Redis back, empty: Carol on the other node sees Alice's pointer again, by itself.
    const carolWaits = carol.view.cursorFrom(idOf(alice), () => true, RESUMED_WITHIN_MS + 5_000);
    await rig.redis.start();
    const backAt = performance.now();
    const resumed = await carolWaits;
    const resumedMs = resumed.atMs - backAt;
    console.warn(`redis back -> cross-node cursors resumed: ${resumedMs.toFixed(0)} ms`);
    expect(resumedMs).toBeLessThan(RESUMED_WITHIN_MS);
  } finally {
    moving.stop();
  }

  // Presence is cluster-wide again: a newcomer on node b sees all three, and they stay
  // present after the TTL (the nodes republished what an empty Redis lost).
  await new Promise((resolve) => setTimeout(resolve, TEST_TTL_MS * 2));
  expect([...carol.view.peers.values()].map((peer) => peer.name).sort()).toEqual(['Alice', 'Bob']);
  const newcomer = await connectRooms(rig.nodes[1].url);
  try {
    const joined = (await ask(newcomer, 'room:join', { page: PAGE })) as Result<RoomJoined>;
    if (!joined.ok) throw new Error(joined.error.message);
    expect(joined.value.peers.map((peer) => peer.id).sort()).toEqual([alice, bob, carol].map(idOf).sort());
    const listed = (await ask(newcomer, 'room:list', { page: PAGE })) as Result<RoomSummary[]>;
    expect(listed).toMatchObject({ ok: true, value: [{ count: 4 }] });
  } finally {
    newcomer.close();
  }
  expect(await healthOf(rig.nodes[0].url)).toMatchObject({ status: 200, body: { redis: 'up' } });

  // Notes: the one written during the outage reached Carol live, once; a note written now
  // does too, and a catch-up by revision finds them all.
  await missedNote;
  const arrived = once<NoteChanged>(carol.notes, 'note:created', (event) => event.note.body === 'after');
  expect((await alice.createNote('after')).result).toMatchObject({ ok: true });
  await arrived;
  expect(carolHeard.map((event) => event.note.body)).toEqual(['during the outage', 'after']);
  const reader = await connectNotes(rig.nodes[1].url);
  try {
    const bodies = (await allNotes(reader, alice.joined().room)).map((note) => note.body);
    expect(bodies).toEqual(['before the outage', 'during the outage', 'after']);
  } finally {
    reader.close();
  }
}, 60_000);
