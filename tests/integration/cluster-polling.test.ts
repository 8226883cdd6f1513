// Long-polling through nginx in front of two nodes (issue 15), with the shipped
// deploy/nginx.conf: every request of a polling session reaches the node that holds it (the
// session would die with "Session ID unknown" on the other), so someone whose WebSocket is
// blocked sees and is seen by people on the other node; a polling session's upgrade to
// WebSocket reaches its node too, while new WebSockets still go round-robin; and when the
// node of a polling session dies, its person is back in the room through the other one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Cursor, NoteChanged } from '../../protocol/index.js';
import { startClusterRig, TEST_TTL_MS, type ClusterRig } from '../support/cluster-rig.js';
import { startUser, type ClusterUser } from '../support/cluster-user.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/cluster-polling';

let rig: ClusterRig;
const users: ClusterUser[] = [];
/** The node the polling sessions from this host hash to, and the other one. */
let hers = 0;
beforeAll(async () => {
  rig = await startClusterRig();
}, 60_000);
afterAll(async () => {
  for (const user of users) user.close();
  await rig?.dispose();
});

/** Open Engine.IO connections on a node, from its own /metrics. */
async function connectionsOn(url: string): Promise<number> {
  const text = await (await fetch(url + '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('copresence_connections'));
  return Number(line?.split(' ').pop() ?? 0);
}

const engineOf = (user: ClusterUser) =>
  (
    user.rooms.io as unknown as {
      engine: { transport: { name: string }; on(e: string, f: () => void): void };
    }
  ).engine;

it('keeps a polling session on one node through nginx, and it sees people on the other node', async () => {
  const common = { page: PAGE, keepAliveMs: TEST_TTL_MS / 4, reconnect: false };
  const polly = await startUser({ ...common, url: rig.nginx.url, name: 'Polly', transports: ['polling'] });
  users.push(polly);
  let drops = 0;
  polly.rooms.on('disconnect', () => (drops += 1));
  expect(engineOf(polly).transport.name).toBe('polling');
  // Her node: the one with her connection (she is the only one so far).
  const counts = await Promise.all(rig.nodes.map((node) => connectionsOn(node.url)));
  expect(counts.sort()).toEqual([0, 1]);
  hers = (await connectionsOn(rig.nodes[0].url)) === 1 ? 0 : 1;
  const other = rig.nodes[1 - hers]!;
  const webb = await startUser({ ...common, url: other.url, name: 'Webb', cursorFormat: 'objects' });
  users.push(webb);
  const pollyId = polly.joined().self.id;
  const webbId = webb.joined().self.id;
  await polly.view.until(polly.rooms, (peers) => peers.has(webbId));
  await webb.view.until(webb.rooms, (peers) => peers.has(pollyId));

  // Cursors both ways across the nodes, many polls later.
  for (let i = 1; i <= 10; i++) {
    const x = i / 20;
    const seen = once<{ cursors: Array<{ peerId: string; cursor: Cursor | null }> }>(
      webb.rooms,
      'cursor:batch',
      (batch) => batch.cursors.some((entry) => entry.peerId === pollyId && entry.cursor?.x === x),
      5_000,
    );
    polly.rooms.emit('cursor:move', { room: polly.joined().room, cursor: { x, y: 0.5 } });
    await seen;
  }
  const heard = once<{ cursors: Array<{ peerId: string; cursor: Cursor | null }> }>(
    polly.rooms,
    'cursor:batch',
    (batch) => batch.cursors.some((entry) => entry.peerId === webbId && entry.cursor?.x === 0.9),
    5_000,
  );
  webb.rooms.emit('cursor:move', { room: webb.joined().room, cursor: { x: 0.9, y: 0.1 } });
  await heard;

  // Notes both ways.
  const toWebb = once<NoteChanged>(webb.notes, 'note:created', (e) => e.note.body === 'from polling', 5_000);
  expect((await polly.createNote('from polling')).result).toMatchObject({ ok: true });
  await toWebb;
  const toPolly = once<NoteChanged>(
    polly.notes,
    'note:created',
    (e) => e.note.body === 'from websocket',
    5_000,
  );
  expect((await webb.createNote('from websocket')).result).toMatchObject({ ok: true });
  await toPolly;

  expect(drops).toBe(0);
  expect(engineOf(polly).transport.name).toBe('polling');
  // Still one connection on her node: every request reached it.
  expect(await connectionsOn(rig.nodes[hers]!.url)).toBe(1);
});

it('lets a polling session upgrade to WebSocket through nginx: the upgrade reaches its node', async () => {
  const uma = await startUser({
    page: PAGE,
    keepAliveMs: TEST_TTL_MS / 4,
    reconnect: false,
    url: rig.nginx.url,
    name: 'Uma',
    transports: ['polling', 'websocket'],
  });
  users.push(uma);
  let drops = 0;
  uma.rooms.on('disconnect', () => (drops += 1));
  if (engineOf(uma).transport.name !== 'websocket') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no upgrade within 5 s')), 5_000);
      engineOf(uma).on('upgrade', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  expect(engineOf(uma).transport.name).toBe('websocket');
  expect((await uma.createNote('after the upgrade')).result).toMatchObject({ ok: true });
  expect(drops).toBe(0);
});

it("brings a polling user back through nginx when her session's node dies", async () => {
  const before = await connectionsOn(rig.nodes[hers]!.url);
  const pia = await startUser({
    page: PAGE,
    keepAliveMs: TEST_TTL_MS / 4,
    url: rig.nginx.url,
    name: 'Pia',
    transports: ['polling'],
  });
  users.push(pia);
  // The same address hashes to the same node as Polly's.
  expect(await connectionsOn(rig.nodes[hers]!.url)).toBe(before + 1);
  const webb = users.find((user) => user.name === 'Webb')!;
  const back = pia.nextJoin(10_000);
  const killedAt = performance.now();
  await rig.nodes[hers]!.kill();
  const joined = await back;
  console.warn(
    `polling user back in the room ${Math.round(performance.now() - killedAt)} ms after her node died`,
  );
  expect(joined.self.id).toBe(pia.joined().self.id);
  await pia.view.until(pia.rooms, (peers) => peers.has(webb.joined().self.id));
  const toWebb = once<NoteChanged>(
    webb.notes,
    'note:created',
    (e) => e.note.body === 'after the kill',
    5_000,
  );
  // Her /notes may still be subscribing again: the outbox sends it once it has.
  await pia.createNote('after the kill');
  await pia.drained(10_000);
  await toWebb;
  expect(engineOf(pia).transport.name).toBe('polling');
}, 30_000);
