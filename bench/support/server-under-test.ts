/**
 * The orchestrator's handle on one server under test: ours (bench/servers/ours-server.ts)
 * or a baseline (bench/baselines/), started pinned to its CPU, reached over IPC for
 * stats and stopped at the end of a workload so each workload starts from a fresh process.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnTs, waitForExit, waitForLine } from './child-process.js';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSamples, type Sample } from './cpu-sampler.js';
import type { ServerStats, StatsReply, StatsRequest } from './server-stats.js';

/** Every system the benchmark can run; ours first. */
export const TARGETS = ['ours', 'ws-relay', 'socketio-relay'] as const;
export type TargetName = (typeof TARGETS)[number];
export const DEFAULT_TARGETS: readonly TargetName[] = TARGETS;
export const BASELINES = ['ws-relay', 'socketio-relay'] as const;
export const OURS = ['ours'] as const;

/** Our server, which has notes and packed cursors; the baselines only relay. */
export function isOurs(target: TargetName): target is (typeof OURS)[number] {
  return target === 'ours';
}

const SCRIPTS: Record<TargetName, URL> = {
  ours: new URL('../servers/ours-server.ts', import.meta.url),
  'ws-relay': new URL('../baselines/ws-relay.ts', import.meta.url),
  'socketio-relay': new URL('../baselines/socketio-relay.ts', import.meta.url),
};

export interface ServerHandle {
  target: TargetName;
  /** `http://host:port` */
  url: string;
  pid: number;
  /** A snapshot; `gc` collects garbage first so heap figures mean live objects. */
  stats(gc?: boolean): Promise<ServerStats>;
  /**
   * The same snapshot, or null when the server's event loop did not answer within
   * `timeoutMs` (a saturated server): the window figures then come from the samples.
   */
  statsIfAnswered(timeoutMs: number): Promise<ServerStats | null>;
  /** The sampler thread's record of CPU, I/O bytes and RSS every 50 ms since start. */
  samples(): Sample[];
  /** Starts a CPU profile of the server's main thread; `stopProfile` writes it to `path`. */
  startProfile(): Promise<void>;
  stopProfile(path: string): Promise<void>;
  /** Writes a heap snapshot (after a full GC) to `path`. */
  heapSnapshot(path: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(
  target: TargetName,
  options: { cpu: number | null; tickHz: number; databaseUrl?: string | null },
): Promise<ServerHandle> {
  const samplesFile = join(tmpdir(), `copresence-bench-samples-${process.pid}-${target}-${Date.now()}.jsonl`);
  const child: ChildProcess = spawnTs(SCRIPTS[target], {
    cpu: options.cpu,
    nodeFlags: ['--expose-gc'],
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      TICK_HZ: String(options.tickHz),
      LOG_LEVEL: 'warn',
      BENCH_SAMPLES_FILE: samplesFile,
      // Our server on PostgreSQL (`--store postgres`); the baselines ignore it.
      BENCH_DATABASE_URL: options.databaseUrl ?? '',
    },
  });
  const match = await waitForLine(child, /listening on (http:\/\/\S+)/);
  const url = match[1] as string;

  let nextId = 1;
  const pending = new Map<number, (reply: StatsReply) => void>();
  child.on('message', (message: StatsReply) => {
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const ask = (request: Extract<StatsRequest, { id: number }>, timeoutMs = 60_000) =>
    new Promise<StatsReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(request.id);
        reject(new Error(`${target}: no ${request.type} reply within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      pending.set(request.id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      child.send(request);
    });

  return {
    target,
    url,
    pid: child.pid ?? -1,
    stats: async (gc = false) => {
      const reply = await ask({ type: 'stats', id: nextId++, gc });
      if (reply.type !== 'stats') throw new Error(`${target}: expected stats, got ${reply.type}`);
      return reply.stats;
    },
    statsIfAnswered: async (timeoutMs) => {
      try {
        const reply = await ask({ type: 'stats', id: nextId++, gc: false }, timeoutMs);
        return reply.type === 'stats' ? reply.stats : null;
      } catch {
        return null;
      }
    },
    startProfile: async () => {
      await ask({ type: 'profile-start', id: nextId++ });
    },
    stopProfile: async (path) => {
      await ask({ type: 'profile-stop', id: nextId++, path });
    },
    heapSnapshot: async (path) => {
      await ask({ type: 'heap-snapshot', id: nextId++, path });
    },
    samples: () => readSamples(samplesFile),
    stop: async () => {
      if (child.connected) child.send({ type: 'stop' } satisfies StatsRequest);
      await waitForExit(child);
      rmSync(samplesFile, { force: true });
    },
  };
}
