/**
 * `npm run bench -- --cluster`: the fan-out and big-room workloads on one node, then on two
 * nodes with Redis (REDIS_URL), in the same run and with the same method: every node is the
 * real server/main.ts, all on PostgreSQL (a throwaway cluster, a fresh database each time),
 * the server side (nodes and Redis) pinned to CPU 0 and the load generator to CPU 1. Member i
 * of every room connects to node i mod 2, so each room spans both nodes.
 *
 * Reported: delivery, latency of every delivery and of the cross-node ones, and the CPU of
 * every server-side process (utime + stime from /proc/<pid>/stat over the window) per
 * delivered update, as a ratio to one node. Targets: cross-node p99 <= 50 ms at quick size,
 * total CPU per update <= 1.5 x one node.
 */
import { readFileSync } from 'node:fs';
import { flushEvery } from '../server/rooms/room-state.js';
import { startNode, type ClusterNode } from '../tests/support/cluster-node.js';
import { createDatabase, dropDatabase, type PgCluster } from '../tests/support/postgres.js';
import { startRedis, type RedisServer } from '../tests/support/redis.js';
import { startGenerator } from './load/generator-handle.js';
import { nowMs, sleepUntil } from './support/clock.js';
import { waitForQuiet } from './support/core-load.js';
import { summarizeEncoded, type LatencySummary } from './support/histograms.js';
import { scheduleFrom, type CursorWorkload, type Size, type Timing } from './workloads.js';

export const CLUSTER_TARGETS = { crossNodeP99Ms: 50, cpuRatio: 1.5 } as const;

export interface ClusterContext {
  size: Size;
  tickHz: number;
  workers: number;
  timing: Timing;
  runId: string;
  pg: PgCluster;
  /** CPU of the server side (nodes and Redis) and of the generator; null: not pinned. */
  serverCpu: number | null;
  generatorCpu: number | null;
  quietWaitMs: number;
  log(line: string): void;
}

export interface TopologyFigures {
  topology: 'one node' | 'two nodes + Redis';
  expected: number;
  delivered: number;
  deliveredRatio: number;
  /** (delivered + merged by design into a newer position within one flush period) / expected. */
  deliveredOrCoalescedRatio: number;
  latency: LatencySummary;
  /** Deliveries between people on different nodes; null on one node. */
  crossNode: (LatencySummary & { delivered: number }) | null;
  /** CPU seconds over the window of each server-side process, by name. */
  cpuSeconds: Record<string, number>;
  /** All of them together, per update delivered in the window (every receiver counted). */
  cpuUsPerUpdate: number;
  disconnects: number;
}

export interface ClusterWorkloadResult {
  name: string;
  title: string;
  oneNode: TopologyFigures;
  twoNodes: TopologyFigures;
  /** twoNodes.cpuUsPerUpdate / oneNode.cpuUsPerUpdate */
  cpuRatio: number;
}

/** utime + stime of `pid` in seconds (USER_HZ is 100 on every Linux Node supports). */
function cpuSecondsOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5); the slice starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(
  workload: CursorWorkload,
  nodeCount: 1 | 2,
  ctx: ClusterContext,
): Promise<TopologyFigures> {
  const quiet = await waitForQuiet(
    [ctx.serverCpu, ctx.generatorCpu].filter((cpu): cpu is number => cpu !== null),
    { maxWaitMs: ctx.quietWaitMs },
  );
  if (!quiet.quiet)
    ctx.log(`  other processes keep ${quiet.load.toFixed(2)} of a core busy; measuring anyway`);
  const databaseUrl = await createDatabase(ctx.pg.url, 'bench_cluster');
  let redis: RedisServer | null = null;
  const nodes: ClusterNode[] = [];
  const generator = startGenerator(ctx.generatorCpu);
  try {
    if (nodeCount === 2) redis = await startRedis({ cpu: ctx.serverCpu });
    for (let i = 1; i <= nodeCount; i++) {
      nodes.push(
        await startNode({
          nodeId: `bench-${i}`,
          databaseUrl,
          redisUrl: redis?.url,
          cpu: ctx.serverCpu,
          env: {
            TICK_HZ: String(ctx.tickHz),
            LOG_LEVEL: 'warn',
            // Every simulated user connects from 127.0.0.1; the per-address limit is for the internet.
            MAX_CONNECTIONS_PER_IP: '1000000',
          },
        }),
      );
    }
    const { connected, connectMs } = await generator.setup({
      kind: 'cursor',
      target: 'ours',
      url: nodes[0]!.url,
      urls: nodes.map((node) => node.url),
      runId: `${ctx.runId}${nodeCount}`,
      rooms: workload.rooms,
      usersPerRoom: workload.usersPerRoom,
      hz: workload.hz,
      notesHz: 0,
      probesPerRoom: workload.probesPerRoom,
      flushPeriodMs: (1000 / ctx.tickHz) * flushEvery(workload.usersPerRoom, true),
      workers: ctx.workers,
    });
    ctx.log(
      `  ${nodeCount} node(s): ${connected} users connected in ${(connectMs / 1000).toFixed(1)} s; measuring`,
    );
    const schedule = scheduleFrom(ctx.timing, nowMs());
    const processes: Array<[string, number]> = [
      ...nodes.map((node) => [node.nodeId, node.pid() as number] as [string, number]),
      ...(redis ? [['redis', redis.pid() as number] as [string, number]] : []),
    ];
    const running = generator.run(schedule);
    await sleepUntil(schedule.windowFromMs);
    const before = processes.map(([, pid]) => cpuSecondsOf(pid));
    await sleepUntil(schedule.windowToMs);
    const after = processes.map(([, pid]) => cpuSecondsOf(pid));
    const run = await running;
    if (run.kind !== 'cursor') throw new Error('generator answered a cursor job with an idle result');
    const c = run.counts;
    const cpuSeconds = Object.fromEntries(processes.map(([name], i) => [name, after[i]! - before[i]!]));
    const totalUs = Object.values(cpuSeconds).reduce((sum, seconds) => sum + seconds, 0) * 1e6;
    // Probes count what they receive; every other member receives as much.
    const updates = c.delivered * (workload.usersPerRoom / workload.probesPerRoom);
    return {
      topology: nodeCount === 1 ? 'one node' : 'two nodes + Redis',
      expected: c.expected,
      delivered: c.delivered,
      deliveredRatio: c.delivered / c.expected,
      deliveredOrCoalescedRatio: (c.delivered + c.coalesced) / c.expected,
      latency: summarizeEncoded([c.latencyUs]),
      crossNode:
        nodeCount === 1 ? null : { ...summarizeEncoded([c.crossLatencyUs]), delivered: c.crossDelivered },
      cpuSeconds,
      cpuUsPerUpdate: totalUs / updates,
      disconnects: c.disconnects,
    };
  } finally {
    await generator.stop();
    for (const node of nodes) await node.stop();
    for (const node of nodes) await node.dispose();
    await redis?.destroy();
    await dropDatabase(databaseUrl).catch(() => undefined);
  }
}

export async function measureClusterWorkload(
  workload: CursorWorkload,
  ctx: ClusterContext,
): Promise<ClusterWorkloadResult> {
  const oneNode = await measure(workload, 1, ctx);
  const twoNodes = await measure(workload, 2, ctx);
  return {
    name: workload.name,
    title: `${workload.title}${ctx.size === 'quick' ? ' (quick size)' : ''}`,
    oneNode,
    twoNodes,
    cpuRatio: twoNodes.cpuUsPerUpdate / oneNode.cpuUsPerUpdate,
  };
}
