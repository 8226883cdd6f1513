// Several-node mode after Redis lost traffic (real redis-server, PostgreSQL, two nodes): a
// note written on one node while Redis was dead reaches the other node's subscriber live and
// once when Redis returns; a room a node numbered itself during the outage takes the cluster's
// number after it and tells its packed sockets, so packed cursors keep crossing; a hung Redis
// (SIGSTOP) holds a bounded number of publishes while same-node cursors go on.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  unpackBatch,
  type CursorBatch,
  type CursorPaths,
  type Note,
  type NoteChanged,
  type NotesChanges,
  type Result,
} from '../../protocol/index.js';
import { MAX_PENDING_PUBLISHES } from '../../server/cluster/publish-gate.js';
import { ask, type NotesClient, type RoomsClient } from '../support/clients.js';
import { join, keepAlive, PAGE, startCluster, type TestCluster } from '../support/cluster.js';
import type { TestServer } from '../support/test-server.js';
import { once, record, until } from '../support/wait.js';

const ANCHOR = { selectors: [{ type: 'TextQuoteSelector', exact: 'shared words' }] };
const opId = () => randomBytes(9).toString('base64url');

function value<T>(result: unknown): T {
  const answer = result as Result<T>;
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.value;
}

const subscribe = async (socket: NotesClient, room: string) =>
  value<NotesChanges>(await ask(socket, 'notes:subscribe', { room }));
const create = async (socket: NotesClient, room: string, body: string) =>
  value<Note>(await ask(socket, 'note:create', { room, opId: opId(), anchor: ANCHOR, body }));

const redisOf = async (node: TestServer) => {
  const body = (await (await fetch(node.url + '/healthz')).json()) as { redis?: string };
  return body.redis;
};

const redisIs = (node: TestServer, state: string) => async () => (await redisOf(node)) === state;

/** A metric's value in /metrics, summed over its labels' lines. */
async function metric(node: TestServer, name: string): Promise<number> {
  const text = await (await fetch(node.url + '/metrics')).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name + '{') || line.startsWith(name + ' '))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/**
 * Moves `sender` until `receiver` gets a packed frame numbered `roomNo()` with an entry (the
 * receiver never moves, so it is the sender's). A path coming back has no event to await.
 */
async function packedCross(
  sender: RoomsClient,
  room: string,
  receiver: RoomsClient,
  roomNo: () => number | undefined,
  timeoutMs: number,
): Promise<void> {
  const started = performance.now();
  for (let i = 1; ; i++) {
    const fromOther = (payload: number[]) => {
      const batch = unpackBatch(payload);
      return batch.ok && batch.value.roomNo === roomNo() && batch.value.entries.length > 0;
    };
    const seen = once<number[]>(receiver, 'cursor:packed', fromOther, 200).then(
      () => true,
      () => false,
    );
    sender.emit('cursor:move', { room, cursor: { x: i / 1000, y: 0.5 } });
    if (await seen) return;
    if (performance.now() - started > timeoutMs)
      throw new Error(`packed cursors did not cross in ${timeoutMs} ms`);
  }
}

describe('several nodes: what Redis lost is mended', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ PRESENCE_TTL_MS: '3000', RATE_LIMIT_SCALE: '10' });
  });
  afterAll(() => cluster.dispose());

  it("delivers a note written during the outage live to the other node's subscriber, once", async () => {
    const { a, b, redis } = cluster;
    const room = `public|${PAGE}?t=mend-notes`;
    const alice = await a.notes();
    const bob = await b.notes();
    await subscribe(alice, room);
    await subscribe(bob, room);
    const first = once<NoteChanged>(bob, 'note:created');
    await create(alice, room, 'before');
    await first;
    const created = record<NoteChanged>(bob, 'note:created');

    await redis.kill();
    await until(redisIs(a, 'down'), 5000, 'node A sees Redis down');
    const during = await create(alice, room, 'during');
    await redis.start();
    // Bob stayed connected: nothing tells his client to catch up; node B must send it.
    await once<NoteChanged>(bob, 'note:created', (event) => event.note.id === during.id, 15_000);
    // A note written after the mend arrives live too, and nothing came twice meanwhile.
    await until(redisIs(b, 'up'), 5000, 'node B sees Redis up');
    const after = once<NoteChanged>(bob, 'note:created', (event) => event.note.body === 'after', 10_000);
    await create(alice, room, 'after');
    await after;
    expect(created.map((event) => event.note.body)).toEqual(['during', 'after']);
    expect(created[0]!.note).toEqual(during);
  }, 40_000);

  it("keeps a room's packed number in step with the cluster's after the outage: packed cursors keep crossing", async () => {
    const { a, b, redis } = cluster;
    const page = PAGE + '?t=open-before-and-during';
    const alice = await a.rooms();
    const atAlice = await join(alice, 'packed', page);
    await redis.kill();
    await until(redisIs(b, 'down'), 5000, 'node B sees Redis down');
    // Node B opens the room while Redis is away: it numbers it itself.
    const bob = await b.rooms();
    const atBob = await join(bob, 'packed', page);
    // The number each client reads batches by: its join's, then any cursor:paths roomNo.
    const roomNoOf = new Map([
      [alice, atAlice.roomNo],
      [bob, atBob.roomNo],
    ]);
    const follow = (socket: RoomsClient) =>
      socket.on('cursor:paths', (event: CursorPaths) => {
        if (event.roomNo !== undefined) roomNoOf.set(socket, event.roomNo);
      });
    follow(alice);
    follow(bob);
    const sockets = [alice, bob];
    const stop = keepAlive(sockets, atAlice.room, 500);
    try {
      await redis.start();
      await until(redisIs(a, 'up'), 5000, 'node A sees Redis up');
      await until(redisIs(b, 'up'), 5000, 'node B sees Redis up');
      // Someone joins on each node after the return: the cluster's number comes with the join,
      // and the node that numbered the room otherwise must tell its earlier sockets.
      for (const node of [a, b]) {
        const newcomer = await node.rooms();
        roomNoOf.set(newcomer, (await join(newcomer, 'packed', page)).roomNo);
        follow(newcomer);
        sockets.push(newcomer);
      }
      const [, , erin, dave] = sockets as [RoomsClient, RoomsClient, RoomsClient, RoomsClient];
      for (const [sender, receiver] of [
        [alice, bob],
        [bob, alice],
        [alice, dave],
        [bob, erin],
      ] as const) {
        await packedCross(sender, atAlice.room, receiver, () => roomNoOf.get(receiver), 8000);
      }
      expect(new Set(roomNoOf.values()).size).toBe(1);
    } finally {
      stop();
      for (const socket of sockets) socket.close();
    }
  }, 40_000);

  it('bounds the publishes waiting for a hung Redis (SIGSTOP) and keeps same-node cursors going', async () => {
    const { a, b, redis } = cluster;
    const rooms = 6;
    const movers: Array<{ socket: RoomsClient; room: string }> = [];
    const watchers: RoomsClient[] = [];
    const all: RoomsClient[] = [];
    for (let i = 0; i < rooms; i++) {
      const page = `${PAGE}?t=hung-${i}`;
      const mover = await a.rooms();
      const watcher = await a.rooms();
      const far = await b.rooms();
      const joined = await join(mover, 'objects', page);
      await join(watcher, 'objects', page);
      await join(far, 'objects', page);
      movers.push({ socket: mover, room: joined.room });
      watchers.push(watcher);
      all.push(mover, watcher, far);
    }
    const stops = movers.map(({ room }) => keepAlive(all, room, 500));
    let x = 0;
    const moving = setInterval(() => {
      x += 1;
      for (const { socket, room } of movers)
        socket.emit('cursor:move', { room, cursor: { x: x / 100000, y: 0.5 } });
    }, 15);
    const pid = redis.pid()!;
    process.kill(pid, 'SIGSTOP');
    try {
      await until(redisIs(a, 'stalled'), 5000, 'node A reports Redis stalled');
      // Every room flushes up to 60 times a second: unbounded, 6 rooms pass the bound in a second.
      let most = 0;
      const watched = performance.now();
      while (performance.now() - watched < 4000) {
        most = Math.max(most, await metric(a, 'copresence_redis_pending_publishes'));
        // Same node: the watcher still sees the mover's latest position within a tick or two.
        const target = x;
        const seen = once<CursorBatch>(
          watchers[0]!,
          'cursor:batch',
          (batch) => batch.cursors.some((entry) => (entry.cursor?.x ?? 0) * 100000 >= target),
          500,
        );
        await seen;
      }
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(MAX_PENDING_PUBLISHES + rooms * 4);
      expect(await metric(a, 'copresence_redis_publishes_dropped_total')).toBeGreaterThan(0);
      const health = await fetch(a.url + '/healthz');
      expect(health.status).toBe(200);
    } finally {
      process.kill(pid, 'SIGCONT');
      clearInterval(moving);
    }
    await until(redisIs(a, 'up'), 5000, 'node A sees Redis answer again');
    await until(
      async () => (await metric(a, 'copresence_redis_pending_publishes')) < 10,
      5000,
      'pending drained',
    );
    for (const stop of stops) stop();
    for (const socket of all) socket.close();
  }, 40_000);
});
