// Several-node mode: a node that dies without a word (SIGKILL of a real server process) stops
// refreshing its seats in Redis; within the presence TTL the surviving nodes announce its
// people as left, each exactly once although both nodes sweep, and room:list stops counting them.
import { spawn } from 'node:child_process';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceLeft, Result, RoomSummary } from '../../protocol/index.js';
import { ask, connectRooms, makeAuth } from '../support/clients.js';
import { join, keepAlive, PAGE, startCluster, type TestCluster } from '../support/cluster.js';
import { once, record } from '../support/wait.js';

const ROOT = joinPath(import.meta.dirname, '..', '..');
const TTL_MS = 2000;
const stops: Array<() => void> = [];

/** server/main.ts as a child process in the cluster; resolves with its URL and the process. */
function startNode(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = { text: '' };
  child.stderr.on('data', (chunk: Buffer) => (logs.text += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /listening on (\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
  });
  return { child, url, logs };
}

describe('several nodes: a node dies', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ PRESENCE_TTL_MS: String(TTL_MS) });
  });
  afterAll(() => cluster.dispose());

  it("announces the dead node's people as left within the TTL, once, on every node", async () => {
    const { a, b, redis } = cluster;
    const node = startNode({
      REDIS_URL: redis.url,
      DATABASE_URL: a.databaseUrl!,
      NODE_ID: 'node-k',
      PRESENCE_TTL_MS: String(TTL_MS),
    });
    try {
      const kim = await connectRooms(await node.url, makeAuth({ name: 'Kim' }));
      const alice = await a.rooms();
      const carol = await b.rooms();
      const atKim = await join(kim);
      await join(alice);
      const atCarol = await join(carol);
      // Alice and Carol keep alive as the extension does (every TTL/3 here); Kim cannot.
      stops.push(keepAlive([alice, carol], atCarol.room, TTL_MS / 3));
      expect(atCarol.peers.map((p) => p.id)).toContain(atKim.self.id);
      const leftAtAlice = record<PresenceLeft>(alice, 'presence:left');
      const leftAtCarol = record<PresenceLeft>(carol, 'presence:left');
      const heard = Promise.all(
        [alice, carol].map((socket) =>
          once<PresenceLeft>(socket, 'presence:left', (e) => e.peerId === atKim.self.id, 2 * TTL_MS),
        ),
      );

      // Every log line names the node.
      const lines = node.logs.text.split('\n').filter((line) => line.startsWith('{'));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ node: 'node-k' });

      const killed = performance.now();
      node.child.kill('SIGKILL');
      await heard;
      const ghostMs = performance.now() - killed;
      expect(ghostMs).toBeLessThan(TTL_MS);
      // Both nodes sweep every TTL/6: two more rounds would have announced it again.
      await new Promise((resolve) => setTimeout(resolve, TTL_MS / 2));
      expect(leftAtAlice.filter((e) => e.peerId === atKim.self.id)).toHaveLength(1);
      expect(leftAtCarol.filter((e) => e.peerId === atKim.self.id)).toHaveLength(1);
      const listed = (await ask(alice, 'room:list', { page: PAGE })) as Result<RoomSummary[]>;
      expect(listed.ok && listed.value[0]?.count).toBe(2);
      kim.close();
      console.warn(
        `dead node: its peer announced left ${ghostMs.toFixed(0)} ms after SIGKILL (TTL ${TTL_MS} ms)`,
      );
    } finally {
      for (const stop of stops.splice(0)) stop();
      if (node.child.exitCode === null) node.child.kill('SIGKILL');
    }
  });
});
