// Several-node mode with Redis hung (SIGSTOP), then killed (SIGKILL) and restarted empty: people on one node keep
// seeing each other's cursors and presence, /healthz and /metrics say Redis is down, and once
// Redis is back each node resubscribes, puts its people back and mends what its people
// missed, by itself: no ghost, nobody missing, cross-node cursors again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CursorBatch,
  PresenceJoined,
  PresenceLeft,
  Result,
  RoomJoined,
  RoomSummary,
} from '../../protocol/index.js';
import { ask, type RoomsClient } from '../support/clients.js';
import { join, keepAlive, PAGE, startCluster, type TestCluster } from '../support/cluster.js';
import type { TestServer } from '../support/test-server.js';
import { once, record, until } from '../support/wait.js';

const health = async (node: TestServer) => {
  const res = await fetch(node.url + '/healthz');
  return { status: res.status, body: (await res.json()) as { store: string; redis?: string } };
};
const redisIs = (node: TestServer, state: string) => async () => (await health(node)).body.redis === state;

/** Moves `sender` to x and resolves with the ms until `watcher` saw it in a cursor:batch. */
async function seenAfter(
  sender: RoomsClient,
  joined: RoomJoined,
  watcher: RoomsClient,
  x: number,
): Promise<number> {
  const seen = once<CursorBatch>(watcher, 'cursor:batch', (batch) =>
    batch.cursors.some((e) => e.peerId === joined.self.id && e.cursor?.x === x),
  );
  const started = performance.now();
  sender.emit('cursor:move', { room: joined.room, cursor: { x, y: 0.5 } });
  await seen;
  return performance.now() - started;
}

/** Keeps moving until the watcher sees a move: a cross-node path coming back has no event of its own. */
async function movesCross(sender: RoomsClient, joined: RoomJoined, watcher: RoomsClient, timeoutMs: number) {
  const started = performance.now();
  for (let i = 1; ; i++) {
    try {
      await seenAfter(sender, joined, watcher, i / 1000);
      return performance.now() - started;
    } catch (error) {
      if (performance.now() - started > timeoutMs) throw error;
    }
  }
}

describe('several nodes: Redis killed and restarted empty', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ PRESENCE_TTL_MS: '3000' });
  });
  afterAll(() => cluster.dispose());

  it('keeps same-node cursors and joins going while Redis hangs (SIGSTOP)', async () => {
    const { a, b, redis } = cluster;
    const page = PAGE + '?t=frozen';
    const alice = await a.rooms();
    const carol = await a.rooms();
    const bob = await b.rooms();
    const atAlice = await join(alice, 'objects', page);
    await join(carol, 'objects', page);
    const atBob = await join(bob, 'objects', page);
    const stopKeepAlive = keepAlive([alice, carol, bob], atAlice.room, 500);
    const pid = redis.pid()!;
    process.kill(pid, 'SIGSTOP');
    try {
      // A hung Redis keeps its connections open: nothing fails fast, the node must not wait.
      const latencies: number[] = [];
      for (let i = 1; i <= 10; i++) latencies.push(await seenAfter(alice, atAlice, carol, i / 100));
      expect(Math.max(...latencies)).toBeLessThan(100);
      const dave = await a.rooms();
      const started = performance.now();
      const atDave = await join(dave, 'objects', page);
      expect(performance.now() - started).toBeLessThan(3000);
      expect(atDave.peers.map((p) => p.id)).toEqual(expect.arrayContaining([atAlice.self.id]));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await movesCross(bob, atBob, alice, 5000);
    stopKeepAlive();
  });

  it('keeps each node alive alone, then resumes presence and cross-node cursors by itself', async () => {
    const { a, b, redis } = cluster;
    const alice = await a.rooms();
    const carol = await a.rooms();
    const bob = await b.rooms();
    const atAlice = await join(alice);
    const atCarol = await join(carol);
    const atBob = await join(bob);
    // Everyone keeps alive as the extension does, so only what the test does changes presence.
    const sockets = [alice, carol, bob];
    const stopKeepAlive = keepAlive(sockets, atAlice.room, 500);
    await seenAfter(alice, atAlice, bob, 0.5);

    await redis.kill();
    await until(redisIs(a, 'down'), 5000, 'node A sees Redis down');
    await until(redisIs(b, 'down'), 5000, 'node B sees Redis down');
    // Degraded, not failed: the node still serves its own people and the store is fine.
    expect(await health(a)).toEqual({
      status: 200,
      body: { ok: true, store: 'ok', node: 'node-a', redis: 'down' },
    });
    const metrics = await (await fetch(a.url + '/metrics')).text();
    expect(metrics).toContain('copresence_redis_connected{node="node-a"} 0');

    // Same node, Redis away: every move arrives, in the latency class of one node.
    const latencies: number[] = [];
    for (let i = 1; i <= 20; i++) latencies.push(await seenAfter(alice, atAlice, carol, i / 100));
    expect(Math.max(...latencies)).toBeLessThan(100);
    // Presence on the node goes on too: Carol leaves, Dave arrives, Alice hears both.
    const carolLeft = once<PresenceLeft>(alice, 'presence:left');
    carol.disconnect();
    expect((await carolLeft).peerId).toBe(atCarol.self.id);
    const dave = await a.rooms();
    const daveJoined = once<PresenceJoined>(alice, 'presence:joined');
    const atDave = await join(dave);
    sockets.push(dave);
    expect((await daveJoined).peer.id).toBe(atDave.self.id);
    // A room opened on both nodes while Redis is away: its channel is subscribed on return.
    const newPage = PAGE + '?t=opened-during-outage';
    const fay = await a.rooms();
    const gus = await b.rooms();
    const atFay = await join(fay, 'objects', newPage);
    await join(gus, 'objects', newPage);
    const stopNewRoom = keepAlive([fay, gus], atFay.room, 500);
    const gusHearsFay = once<PresenceJoined>(
      gus,
      'presence:joined',
      (e) => e.peer.id === atFay.self.id,
      10_000,
    );

    // Bob, on the other node, heard none of it; Redis comes back with nothing in it.
    const bobHears = {
      left: once<PresenceLeft>(bob, 'presence:left', (e) => e.peerId === atCarol.self.id, 10_000),
      joined: once<PresenceJoined>(bob, 'presence:joined', (e) => e.peer.id === atDave.self.id, 10_000),
    };
    // "Someone else joined": Bob, put back into an empty Redis, is never told of himself.
    const bobJoined = record<PresenceJoined>(bob, 'presence:joined');
    const restarted = performance.now();
    await redis.start();
    await until(redisIs(a, 'up'), 5000, 'node A sees Redis up');
    await until(redisIs(b, 'up'), 5000, 'node B sees Redis up');
    const crossMs = await movesCross(bob, atBob, alice, 5000);
    await movesCross(fay, atFay, gus, 5000);
    await gusHearsFay;
    stopNewRoom();
    const counted = async () => {
      const listed = (await ask(bob, 'room:list', { page: PAGE })) as Result<RoomSummary[]>;
      return listed.ok && listed.value[0]?.count === 3;
    };
    await until(counted, 5000, 'room:list counts Alice, Dave and Bob again');
    // What Bob missed is mended: Carol gone, Dave there, nobody twice.
    await bobHears.left;
    await bobHears.joined;
    const mendedMs = performance.now() - restarted;
    expect(bobJoined.map((e) => e.peer.id)).not.toContain(atBob.self.id);
    const eve = await b.rooms();
    const atEve = await join(eve);
    expect(atEve.peers.map((p) => p.id).sort()).toEqual(
      [atAlice.self.id, atBob.self.id, atDave.self.id].sort(),
    );
    expect(new Set(atEve.peers.map((p) => p.no)).size).toBe(3);
    stopKeepAlive();
    const after = await (await fetch(a.url + '/metrics')).text();
    expect(after).toContain('copresence_redis_reconnects{node="node-a"} 1');
    // The figures of the closing note (failover times).
    console.warn(
      `redis outage: same-node max ${Math.max(...latencies).toFixed(1)} ms; ` +
        `cross-node back ${crossMs.toFixed(0)} ms after both nodes saw Redis up; ` +
        `presence mended ${mendedMs.toFixed(0)} ms after the restart`,
    );
  });
});
