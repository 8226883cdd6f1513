// Several nodes: what the cursor hot path costs while a room spanning two nodes keeps moving.
// Each socket gets at most one cursor frame per tick (the other node's batch joins the next
// tick instead of going out as a frame of its own), and a tick costs Redis one publish per
// node and room, no other command (presence lives on its own slow refresh).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomsClient } from '../support/clients.js';
import { join, PAGE, startCluster, type TestCluster } from '../support/cluster.js';
import { once } from '../support/wait.js';

const TICK_HZ = 20;
const WINDOW_MS = 1_000;
const TICKS = (WINDOW_MS * TICK_HZ) / 1000;

/** Calls per Redis command so far (INFO commandstats). */
function commandCalls(url: string): Map<string, number> {
  const text = execFileSync('redis-cli', ['-u', url, 'INFO', 'commandstats'], { encoding: 'utf8' });
  const calls = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

describe('several nodes: cost of the cursor hot path', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    // A presence TTL of ten minutes puts the presence refresh (every TTL / 6) outside the window.
    cluster = await startCluster({ TICK_HZ: String(TICK_HZ), PRESENCE_TTL_MS: '600000' });
  });
  afterAll(() => cluster.dispose());

  it('sends each socket one frame per tick and Redis one publish per node and tick', async () => {
    const page = `${PAGE}?t=cost`;
    const movers = [await cluster.a.rooms(), await cluster.b.rooms()];
    const watchers = [await cluster.a.rooms(), await cluster.b.rooms()];
    const joined = [];
    for (const socket of [...movers, ...watchers]) joined.push(await join(socket, 'packed', page));
    const room = joined[0]!.room;
    // Both movers move several times per tick, out of step with either node's tick.
    let step = 0;
    const moving = setInterval(() => {
      step += 1;
      for (const [i, socket] of movers.entries())
        socket.emit('cursor:move', { room, cursor: { x: (step % 100) / 100, y: i / 2 } });
    }, 7);
    try {
      // Both nodes' changes reach both watchers before counting starts.
      await Promise.all(watchers.map((socket) => once(socket, 'cursor:packed')));
      const frames = watchers.map(() => 0);
      const count = (i: number) => () => (frames[i]! += 1);
      const listeners = watchers.map((socket: RoomsClient, i) => {
        const listener = count(i);
        socket.on('cursor:packed', listener);
        return listener;
      });
      const before = commandCalls(cluster.redis.url);
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      const after = commandCalls(cluster.redis.url);
      watchers.forEach((socket, i) => socket.off('cursor:packed', listeners[i]));

      // One frame per tick. The slack is for early flushes standing in for late ticks on a
      // busy machine; a frame per node and tick would be twice the ticks.
      for (const received of frames) {
        expect(received).toBeGreaterThanOrEqual(TICKS / 2);
        expect(received).toBeLessThanOrEqual(TICKS * 1.5);
      }
      const used = [...after].filter(([name, calls]) => name !== 'info' && calls > (before.get(name) ?? 0));
      expect(used.map(([name]) => name)).toEqual(['spublish']);
      const publishes = (after.get('spublish') ?? 0) - (before.get('spublish') ?? 0);
      // Two nodes, one publish each per tick (and the adapter's heartbeat), with the same slack.
      expect(publishes).toBeLessThanOrEqual(2 * TICKS * 1.25);
    } finally {
      clearInterval(moving);
    }
  });
});
