/**
 * Two real server nodes in this process (createApp on port 0), one real redis-server, and one
 * PostgreSQL database they share: several-node mode without a balancer
 * (clients pick their node). The other helpers' child-process harness kills nodes for real.
 */
import type { Result, RoomJoined } from '../../protocol/index.js';
import { ask, type RoomsClient } from './clients.js';
import { startRedis, type RedisServer } from './redis.js';
import { startTestServer, type TestServer } from './test-server.js';

export const PAGE = 'https://example.com/article';

export interface TestCluster {
  redis: RedisServer;
  a: TestServer;
  b: TestServer;
  dispose(): Promise<void>;
}

export async function startCluster(env: Record<string, string> = {}): Promise<TestCluster> {
  const redis = await startRedis();
  const common = { REDIS_URL: redis.url, ...env };
  const a = await startTestServer({ store: 'postgres', env: { ...common, NODE_ID: 'node-a' } });
  const b = await startTestServer({ ...a.sameData(), env: { ...common, NODE_ID: 'node-b' } });
  return {
    redis,
    a,
    b,
    async dispose() {
      await b.stop();
      await a.dispose();
      await redis.destroy();
    },
  };
}

export async function join(
  socket: RoomsClient,
  cursorFormat: 'packed' | 'objects' = 'objects',
  page = PAGE,
): Promise<RoomJoined> {
  const result = (await ask(socket, 'room:join', { page, cursorFormat })) as Result<RoomJoined>;
  if (!result.ok) throw new Error(`join failed: ${result.error.message}`);
  return result.value;
}

/**
 * Sends each socket's keep-alive (`presence:update { room }`) every `everyMs`, as the extension
 * does every 10 s: tests with a short presence TTL outlast it. Returns the stop function.
 */
export function keepAlive(sockets: RoomsClient[], room: string, everyMs: number): () => void {
  const timer = setInterval(() => {
    for (const socket of sockets) if (socket.connected) socket.emit('presence:update', { room });
  }, everyMs);
  return () => clearInterval(timer);
}
