/**
 * The whole several-node setup for one test file, every part a real process: a Redis, two
 * server nodes (REDIS_URL, DATABASE_URL, NODE_ID), nginx in front with the shipped
 * deploy/nginx.conf, and a fresh database on the run's PostgreSQL (or on the cluster given).
 */
import { inject } from 'vitest';
import { startNode, type ClusterNode } from './cluster-node.js';
import { startNginx, type Nginx } from './nginx.js';
import { createDatabase, dropDatabase } from './postgres.js';
import { startRedis, type RedisServer } from './redis.js';

/** A presence TTL short enough to wait for; test users keep alive every quarter of it. */
export const TEST_TTL_MS = 1_500;

export interface ClusterRig {
  redis: RedisServer;
  nodes: [ClusterNode, ClusterNode];
  nginx: Nginx;
  databaseUrl: string;
  /** The node with this NODE_ID. */
  node(nodeId: string): ClusterNode;
  dispose(): Promise<void>;
}

export interface RigOptions {
  /** A PostgreSQL superuser URL to make the database on; the run's cluster by default. */
  pgUrl?: string;
  /** More environment for both nodes. */
  env?: Record<string, string>;
  /** Per node (a, b): more environment and preloaded modules (tests/support/slow-ack.ts). */
  perNode?: [NodeExtras, NodeExtras];
}

export interface NodeExtras {
  env?: Record<string, string>;
  preload?: string[];
}

export async function startClusterRig(options: RigOptions = {}): Promise<ClusterRig> {
  const databaseUrl = await createDatabase(options.pgUrl ?? inject('pgUrl'), 'cluster');
  const redis = await startRedis();
  const env = { PRESENCE_TTL_MS: String(TEST_TTL_MS), RATE_LIMIT_SCALE: '100', ...options.env };
  const started = await Promise.allSettled(
    ['node-a', 'node-b'].map((nodeId, i) =>
      startNode({
        nodeId,
        databaseUrl,
        redisUrl: redis.url,
        env: { ...env, ...options.perNode?.[i]?.env },
        preload: options.perNode?.[i]?.preload,
      }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((node) => node.dispose()));
    await redis.destroy();
    throw failed.reason;
  }
  // One worker: round-robin then alternates exactly between the two nodes.
  const nginx = await startNginx({ upstreams: nodes.map((node) => node.port), workers: 1 });
  return {
    redis,
    nodes: nodes as [ClusterNode, ClusterNode],
    nginx,
    databaseUrl,
    node: (nodeId) => {
      const found = nodes.find((node) => node.nodeId === nodeId);
      if (!found) throw new Error(`no node ${nodeId}`);
      return found;
    },
    dispose: async () => {
      await nginx.stop();
      await Promise.all(nodes.map((node) => node.dispose()));
      await redis.destroy();
      await dropDatabase(databaseUrl).catch(() => undefined);
    },
  };
}

/** The NODE_ID a node reports on /healthz (through nginx: whichever node answered). */
export async function healthOf(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
