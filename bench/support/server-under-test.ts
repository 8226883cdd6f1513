/**
 * The orchestrator's handle on one server under test: ours (bench/servers/ours-server.ts)
 * or a baseline (bench/baselines/), started pinned to its CPU, reached over IPC for
 * stats and stopped at the end of a workload so each workload starts from a fresh process.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnTs, waitForExit, waitForLine } from './child-process.js';
import type { Sample } from './cpu-sampler.js';
import type { ServerStats, StatsReply, StatsRequest } from './server-stats.js';

/**
 * Every system the benchmark can run; ours first. `ours-next` is our server with the
 * proposed changes of `--experiments` applied (bench/servers/experiments.ts); it runs
 * only when asked for.
 */
export const TARGETS = ['ours', 'ours-next', 'ws-relay', 'socketio-relay'] as const;
export type TargetName = (typeof TARGETS)[number];
export const DEFAULT_TARGETS: readonly TargetName[] = ['ours', 'ws-relay', 'socketio-relay'];
export const BASELINES = ['ws-relay', 'socketio-relay'] as const;
export const OURS = ['ours', 'ours-next'] as const;

/** Our server, as it is or with experiments. */
export function isOurs(target: TargetName): target is (typeof OURS)[number] {
  return target === 'ours' || target === 'ours-next';
}

const SCRIPTS: Record<TargetName, URL> = {
  ours: new URL('../servers/ours-server.ts', import.meta.url),
  'ours-next': new URL('../servers/ours-server.ts', import.meta.url),
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
  /** The sampler thread's record of CPU, I/O bytes and RSS every 50 ms since start. */
  samples(): Promise<Sample[]>;
  /** Starts a CPU profile of the server's main thread; `stopProfile` writes it to `path`. */
  startProfile(): Promise<void>;
  stopProfile(path: string): Promise<void>;
  /** Writes a heap snapshot (after a full GC) to `path`. */
  heapSnapshot(path: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(
  target: TargetName,
  options: { cpu: number | null; tickHz: number; experiments?: string[] },
): Promise<ServerHandle> {
  const child: ChildProcess = spawnTs(SCRIPTS[target], {
    cpu: options.cpu,
    nodeFlags: ['--expose-gc'],
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      TICK_HZ: String(options.tickHz),
      LOG_LEVEL: 'warn',
      BENCH_EXPERIMENTS: target === 'ours-next' ? (options.experiments ?? []).join(',') : '',
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
  const ask = (request: Extract<StatsRequest, { id: number }>) =>
    new Promise<StatsReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(request.id);
        reject(new Error(`${target}: no ${request.type} reply within 60 s`));
      }, 60_000);
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
    startProfile: async () => {
      await ask({ type: 'profile-start', id: nextId++ });
    },
    stopProfile: async (path) => {
      await ask({ type: 'profile-stop', id: nextId++, path });
    },
    heapSnapshot: async (path) => {
      await ask({ type: 'heap-snapshot', id: nextId++, path });
    },
    samples: async () => {
      const reply = await ask({ type: 'samples', id: nextId++ });
      if (reply.type !== 'samples') throw new Error(`${target}: expected samples, got ${reply.type}`);
      return reply.samples;
    },
    stop: async () => {
      if (child.connected) child.send({ type: 'stop' } satisfies StatsRequest);
      await waitForExit(child);
    },
  };
}
