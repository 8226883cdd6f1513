// Cursor flush timing on /rooms: the first move after a quiet tick goes out at
// once instead of a tick later, and continuous moves still get one batch per tick at most.
// A slow tick makes "before the next tick" measurable on a shared machine.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CursorBatch, Result, RoomJoined } from '../../protocol/index.js';
import { ask, type RoomsClient } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { once } from '../support/wait.js';

const PAGE = 'https://example.com/article';
const TICK_HZ = 4;
const TICK_MS = 1000 / TICK_HZ;

async function join(socket: RoomsClient): Promise<RoomJoined> {
  const result = (await ask(socket, 'room:join', { page: PAGE })) as Result<RoomJoined>;
  if (!result.ok) throw new Error(`join failed: ${result.error.message}`);
  return result.value;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const atX = (peerId: string, x: number) => (batch: CursorBatch) =>
  batch.cursors.some((entry) => entry.peerId === peerId && entry.cursor?.x === x);

describe('/rooms cursor flush edges', () => {
  let server: TestServer;
  let alice: RoomsClient;
  let bob: RoomsClient;
  let a: RoomJoined;

  beforeEach(async () => {
    server = await startTestServer({ env: { TICK_HZ: String(TICK_HZ) } });
    alice = await server.rooms();
    bob = await server.rooms();
    a = await join(alice);
    await join(bob);
    // The quiet period under test, not a guess: the flusher stops after one idle tick.
    await sleep(2.5 * TICK_MS);
  });
  afterEach(() => server.dispose());

  it('flushes the first move after a quiet tick at once, not on the next tick', async () => {
    for (const x of [0.2, 0.6]) {
      const seen = once(bob, 'cursor:batch', atX(a.self.id, x));
      const sent = performance.now();
      alice.emit('cursor:move', { room: a.room, cursor: { x, y: 0.5 } });
      await seen;
      // A tick-aligned flush would take 0-250 ms, 125 ms on average; loopback takes a few.
      expect(performance.now() - sent).toBeLessThan(TICK_MS / 3);
      await sleep(2.5 * TICK_MS);
    }
  });

  it('still sends at most one batch per tick while moves keep coming, and the last position', async () => {
    const arrivals: number[] = [];
    bob.on('cursor:batch', () => arrivals.push(performance.now()));
    const last = once(bob, 'cursor:batch', atX(a.self.id, 1), 5000);
    const begin = performance.now();
    const moves = 60;
    for (let i = 1; i <= moves; i += 1) {
      alice.emit('cursor:move', { room: a.room, cursor: { x: i / moves, y: 0.5 } });
      await sleep(25);
    }
    await last;
    const elapsed = performance.now() - begin;
    // 60 moves over >= 1.5 s: one leading batch, then one per 250 ms tick at most.
    expect(arrivals.length).toBeLessThanOrEqual(Math.ceil(elapsed / TICK_MS) + 1);
    expect(arrivals.length).toBeLessThan(moves / 4);
    // The first of them did not wait for a tick.
    expect((arrivals[0] ?? Infinity) - begin).toBeLessThan(TICK_MS / 3);
  });
});
