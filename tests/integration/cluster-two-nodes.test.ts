// Two server nodes as real processes, one Redis, one PostgreSQL, nginx in front: two people
// on different nodes see each other's presence, cursors (objects, packed, and one of each) and
// notes, and room:list counts everyone, whichever node answers it.
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
let packedA: ClusterUser;
let packedB: ClusterUser;
beforeAll(async () => {
  rig = await startClusterRig();
  const [a, b] = rig.nodes;
  // Each straight to its node, so who is where is certain.
  const common = { page: PAGE, keepAliveMs: TEST_TTL_MS / 4, reconnect: false };
  alice = await startUser({ ...common, url: a.url, name: 'Alice', cursorFormat: 'objects' });
  bob = await startUser({ ...common, url: b.url, name: 'Bob', cursorFormat: 'objects' });
  packedA = await startUser({ ...common, url: a.url, name: 'Pat', cursorFormat: 'packed' });
  packedB = await startUser({ ...common, url: b.url, name: 'Quinn', cursorFormat: 'packed' });
}, 60_000);
afterAll(async () => {
  for (const user of [alice, bob, packedA, packedB]) user?.close();
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
  const names = (user: ClusterUser) => [...user.view.peers.values()].map((peer) => peer.name).sort();
  for (const user of [alice, bob, packedA, packedB]) {
    await user.view.until(user.rooms, (peers) => peers.size === 3);
  }
  expect(names(alice)).toEqual(['Bob', 'Pat', 'Quinn']);
  expect(names(bob)).toEqual(['Alice', 'Pat', 'Quinn']);
});

/** Alice moves, then Bob: each must see the other's cursor, decoded in the format each joined with. */
async function crossBothWays(from: ClusterUser, to: ClusterUser): Promise<void> {
  const toB = to.view.cursorFrom(from.joined().self.id, (cursor) => cursor?.x === 0.25);
  from.rooms.emit('cursor:move', { room: from.joined().room, cursor: { x: 0.25, y: 0.5 } });
  expect((await toB).cursor).toMatchObject({ x: 0.25, y: 0.5 });
  const toA = from.view.cursorFrom(to.joined().self.id, (cursor) => cursor?.x === 0.75);
  to.rooms.emit('cursor:move', { room: to.joined().room, cursor: { x: 0.75, y: 0.125 } });
  expect((await toA).cursor).toMatchObject({ x: 0.75, y: 0.125 });
}

it('carries cursors both ways between packed members on different nodes', async () => {
  await crossBothWays(packedA, packedB);
  // Packed people get packed batches only, whichever node the sender is on.
  expect([...packedB.view.formats]).toEqual(['packed']);
  expect([...packedA.view.formats]).toEqual(['packed']);
});

it('carries cursors both ways between objects members on different nodes', async () => {
  await crossBothWays(alice, bob);
});

it('carries cursors both ways between an objects member and a packed one on different nodes', async () => {
  await crossBothWays(alice, packedB);
  await crossBothWays(packedA, bob);
});

it('carries cursors both ways when each node holds members of one format only', async () => {
  // A room of its own: objects people on node a only, packed ones on node b only.
  const common = { page: `${PAGE}/formats`, keepAliveMs: TEST_TTL_MS / 4, reconnect: false };
  const onA = await startUser({ ...common, url: rig.nodes[0].url, name: 'Olga', cursorFormat: 'objects' });
  const onB = await startUser({ ...common, url: rig.nodes[1].url, name: 'Piet', cursorFormat: 'packed' });
  try {
    await onB.view.until(onB.rooms, (peers) => peers.has(onA.joined().self.id));
    await crossBothWays(onA, onB);
    expect([...onB.view.formats]).toEqual(['packed']);
    expect([...onA.view.formats]).toEqual(['objects']);
  } finally {
    onA.close();
    onB.close();
  }
});

it('delivers a note written on one node to the subscriber on the other', async () => {
  const arrived = once<NoteChanged>(bob.notes, 'note:created', (event) => event.note.body === 'from node a');
  const { result } = await alice.createNote('from node a');
  expect(result).toMatchObject({ ok: true });
  expect((await arrived).note).toEqual((result as { value: unknown }).value);
});

it('counts everyone in room:list on either node', async () => {
  for (const node of rig.nodes) {
    const asker = await connectRooms(node.url);
    try {
      const listed = (await ask(asker, 'room:list', { page: PAGE })) as Result<RoomSummary[]>;
      expect(listed).toMatchObject({ ok: true, value: [{ channel: 'public', count: 4 }] });
    } finally {
      asker.close();
    }
  }
});
