/**
 * `npm run start:cluster`: the whole multi-node setup on this machine, for trying it: a Redis,
 * a PostgreSQL (kept in ./data/cluster/postgres, made with initdb on the first run), two server
 * nodes and nginx (deploy/nginx.conf) on one public port, PORT (default 8080). Ctrl-C
 * (SIGINT) or SIGTERM stops every one of them before this process exits.
 *
 *   PORT=8080 CLUSTER_DIR=./data/cluster npm run start:cluster
 */
import { resolve } from 'node:path';
import pg from 'pg';
import { startNode, type ClusterNode } from '../tests/support/cluster-node.js';
import { startNginx, type Nginx } from '../tests/support/nginx.js';
import { startCluster, withDatabase, type PgCluster } from '../tests/support/postgres.js';
import { startRedis, type RedisServer } from '../tests/support/redis.js';

const NODES = 2;
const DATABASE = 'copresence';

const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  console.error(`invalid environment: PORT: expected a port number, got "${process.env.PORT}"`);
  process.exit(1);
}
const dir = resolve(process.env.CLUSTER_DIR ?? './data/cluster');
const say = (line: string) => process.stdout.write(line + '\n');

type Part = { name: string; stop(): Promise<unknown> };
/** What runs, in start order; stopped in reverse order. */
const parts: Part[] = [];

let state: 'starting' | 'running' | 'stopping' = 'starting';

async function stopAll(code: number): Promise<never> {
  if (state === 'stopping') process.exit(1);
  state = 'stopping';
  for (const part of parts.reverse()) {
    try {
      await part.stop();
    } catch (error) {
      console.error(`stopping ${part.name} failed:`, error);
      code = 1;
    }
  }
  say('cluster stopped');
  process.exit(code);
}

/** The notes database, made on the first run. */
async function ensureDatabase(cluster: PgCluster): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return withDatabase(cluster.url, DATABASE);
}

async function main(): Promise<void> {
  // Ctrl-C reaches the children too (one process group); the stop order below still holds.
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const redis: RedisServer = await startRedis({ dir: resolve(dir, 'redis') });
  parts.push({ name: 'redis', stop: () => redis.stop() });
  say(`redis       ${redis.url} (pid ${redis.pid()})`);

  const cluster = await startCluster({ dir: resolve(dir, 'postgres') });
  parts.push({ name: 'postgresql', stop: async () => cluster.stop('fast') });
  const databaseUrl = await ensureDatabase(cluster);
  say(`postgresql  ${databaseUrl} (data in ${cluster.dir})`);

  const nodes: ClusterNode[] = [];
  for (let i = 1; i <= NODES; i++) {
    const node = await startNode({
      nodeId: `node-${i}`,
      databaseUrl,
      redisUrl: redis.url,
      output: 'inherit',
      env: {
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        // Everyone arrives from nginx's address: believe the client address it forwards.
        TRUSTED_PROXIES: process.env.TRUSTED_PROXIES ?? '127.0.0.1',
      },
    });
    nodes.push(node);
    parts.push({ name: node.nodeId, stop: () => node.dispose() });
    // Killing a node is a fair way to try failover: say so and keep the rest running.
    void node.exited().then((code) => {
      if (state === 'running')
        say(`${node.nodeId} exited (${code ?? 'signal'}); nginx sends its people to the others`);
    });
    say(`${node.nodeId.padEnd(11)} ${node.url} (pid ${node.pid()})`);
  }

  const nginx: Nginx = await startNginx({
    port,
    upstreams: nodes.map((node) => node.port),
    dir: resolve(dir, 'nginx'),
    workers: 'auto',
  });
  parts.push({ name: 'nginx', stop: () => nginx.stop() });
  say(`nginx       ${nginx.url} (pid ${nginx.pid})`);

  state = 'running';
  say(`\ncopresence cluster listening on ${nginx.url}`);
  say(`Put ${nginx.url} in the extension's server field. Ctrl-C stops everything.`);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
});
