// PostgreSQL stopped and started under two nodes (real processes, Redis, nginx): note
// operations answer `unavailable` on both nodes within seconds and /healthz says 503, cursors
// keep crossing nodes, and once PostgreSQL is back the outbox's note is stored once and
// reaches the person on the other node. This file stops its own PostgreSQL, not the run's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NoteChanged } from '../../protocol/index.js';
import { PG_TIMEOUTS } from '../../server/store/pg-database.js';
import { connectNotes } from '../support/clients.js';
import { healthOf, startClusterRig, TEST_TTL_MS, type ClusterRig } from '../support/cluster-rig.js';
import { startUser, type ClusterUser } from '../support/cluster-user.js';
import { allNotes } from '../support/notes-pages.js';
import { startCluster, type PgCluster } from '../support/postgres.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/pg-outage-two-nodes';

let pgCluster: PgCluster;
let rig: ClusterRig;
let alice: ClusterUser;
let bob: ClusterUser;
beforeAll(async () => {
  pgCluster = await startCluster();
  rig = await startClusterRig({ pgUrl: pgCluster.url });
  const common = { page: PAGE, keepAliveMs: TEST_TTL_MS / 4, reconnect: false };
  alice = await startUser({ ...common, url: rig.nodes[0].url, name: 'Alice' });
  bob = await startUser({ ...common, url: rig.nodes[1].url, name: 'Bob', cursorFormat: 'packed' });
}, 60_000);
afterAll(async () => {
  alice?.close();
  bob?.close();
  await rig?.dispose();
  pgCluster?.destroy();
});

it('answers notes unavailable on both nodes while PostgreSQL is down, keeps cursors crossing nodes, and stores the outbox once when it is back', async () => {
  await bob.view.until(bob.rooms, (peers) => peers.has(alice.joined().self.id));
  expect((await alice.createNote('before')).result).toMatchObject({ ok: true });

  pgCluster.stop('immediate');

  for (const user of [alice, bob]) {
    const started = performance.now();
    const { result } = await user.createNote(`${user.name} while down`);
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(performance.now() - started).toBeLessThan(PG_TIMEOUTS.connectMs + PG_TIMEOUTS.queryMs);
  }
  for (const node of rig.nodes) {
    expect(await healthOf(node.url)).toMatchObject({ status: 503, body: { store: 'unreachable' } });
  }
  // Cursors need neither the store nor the node of the other person.
  const seen = bob.view.cursorFrom(alice.joined().self.id, (cursor) => cursor?.x === 0.625);
  alice.rooms.emit('cursor:move', { room: alice.joined().room, cursor: { x: 0.625, y: 0.5 } });
  await seen;

  pgCluster.start();

  // Bob's node learns of Alice's stored outbox note through Redis.
  const arrived = once<NoteChanged>(
    bob.notes,
    'note:created',
    (e) => e.note.body === 'Alice while down',
    10_000,
  );
  for (const node of rig.nodes) expect(await healthOf(node.url)).toMatchObject({ status: 200 });
  // What the outbox does once the server answers again: the same opIds, sent again.
  await alice.retryOutbox();
  await bob.retryOutbox();
  expect(alice.outbox()).toEqual([]);
  expect(bob.outbox()).toEqual([]);
  await arrived;
  const reader = await connectNotes(rig.nginx.url);
  try {
    const bodies = (await allNotes(reader, alice.joined().room)).map((note) => note.body);
    expect(bodies).toEqual(['before', 'Alice while down', 'Bob while down']);
  } finally {
    reader.close();
  }
}, 60_000);
