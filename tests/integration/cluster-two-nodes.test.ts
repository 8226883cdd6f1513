// Two server nodes as real processes, one Redis, one PostgreSQL, nginx in front: two people
// on different nodes see each other's presence, cursors (objects and packed) and notes, and
// room:list counts both, whichever node answers it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NoteChanged, Result, RoomSummary } from '../../protocol/index.js';
import { ask, connectRooms } from '../support/clients.js';
import { healthOf, startClusterRig, TEST_TTL_MS, type ClusterRig } from '../support/cluster-rig.js';
import { startUser, type ClusterUser } from '../support/cluster-user.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/two-nodes';

let rig: ClusterRig;
let alice: ClusterUser;
let bob: ClusterUser;
beforeAll(async () => {
  rig = await startClusterRig();
  const [a, b] = rig.nodes;
  // Each straight to its node, so who is where is certain.
  const common = { page: PAGE, keepAliveMs: TEST_TTL_MS / 4, reconnect: false };
  alice = await startUser({ ...common, url: a.url, name: 'Alice', cursorFormat: 'objects' });
  bob = await startUser({ ...common, url: b.url, name: 'Bob', cursorFormat: 'packed' });
}, 60_000);
afterAll(async () => {
  alice?.close();
  bob?.close();
  await rig?.dispose();
});

it('names the node that answers /healthz, directly and through nginx', async () => {
  const [a, b] = rig.nodes;
  expect(await healthOf(a.url)).toMatchObject({ status: 200, body: { node: 'node-a' } });
  expect(await healthOf(b.url)).toMatchObject({ status: 200, body: { node: 'node-b' } });
  // Round-robin: two requests through nginx reach both nodes.
  const through = [await healthOf(rig.nginx.url), await healthOf(rig.nginx.url)];
  expect(through.map((health) => health.body.node).sort()).toEqual(['node-a', 'node-b']);
});

it('shows each the other in presence, across nodes', async () => {
  const aliceId = alice.joined().self.id;
  const bobId = bob.joined().self.id;
  await alice.view.until(alice.rooms, (peers) => peers.has(bobId));
  await bob.view.until(bob.rooms, (peers) => peers.has(aliceId));
  expect([...alice.view.peers.values()].map((peer) => peer.name)).toEqual(['Bob']);
  expect([...bob.view.peers.values()].map((peer) => peer.name)).toEqual(['Alice']);
});

it('carries cursors both ways, objects to packed and packed to objects', async () => {
  const { room, self: aliceSelf } = alice.joined();
  const bobSelf = bob.joined().self;
  const toBob = bob.view.cursorFrom(aliceSelf.id, (cursor) => cursor?.x === 0.25);
  alice.rooms.emit('cursor:move', { room, cursor: { x: 0.25, y: 0.5 } });
  expect((await toBob).cursor).toMatchObject({ x: 0.25, y: 0.5 });
  const toAlice = alice.view.cursorFrom(bobSelf.id, (cursor) => cursor?.x === 0.75);
  bob.rooms.emit('cursor:move', { room, cursor: { x: 0.75, y: 0.125 } });
  expect((await toAlice).cursor).toMatchObject({ x: 0.75, y: 0.125 });
});

it('delivers a note written on one node to the subscriber on the other', async () => {
  const arrived = once<NoteChanged>(bob.notes, 'note:created', (event) => event.note.body === 'from node a');
  const { result } = await alice.createNote('from node a');
  expect(result).toMatchObject({ ok: true });
  expect((await arrived).note).toEqual((result as { value: unknown }).value);
});

it('counts both people in room:list on either node', async () => {
  for (const node of rig.nodes) {
    const asker = await connectRooms(node.url);
    try {
      const listed = (await ask(asker, 'room:list', { page: PAGE })) as Result<RoomSummary[]>;
      expect(listed).toMatchObject({ ok: true, value: [{ channel: 'public', count: 2 }] });
    } finally {
      asker.close();
    }
  }
});
