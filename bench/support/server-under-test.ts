/**
 * The orchestrator's handle on one server under test: ours (bench/servers/ours-server.ts)
 * or a baseline (bench/baselines/), started pinned to its CPU, reached over IPC for
 * stats and stopped at the end of a workload so each workload starts from a fresh process.
 */
import type { ChildProcess } from 'node:child_process';
import { spawnTs, waitForExit, waitForLine } from './child-process.js';
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
  stop(): Promise<void>;
}

export async function startServer(
  target: TargetName,
  options: { cpu: number | null; tickHz: number; profileDir?: string | undefined; experiments?: string[] },
): Promise<ServerHandle> {
  const child: ChildProcess = spawnTs(SCRIPTS[target], {
    cpu: options.cpu,
    nodeFlags: [
      '--expose-gc',
      ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
    ],
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
  const pending = new Map<number, (stats: ServerStats) => void>();
  child.on('message', (message: StatsReply) => {
    if (message.type !== 'stats') return;
    pending.get(message.id)?.(message.stats);
    pending.delete(message.id);
  });

  return {
    target,
    url,
    pid: child.pid ?? -1,
    stats: (gc = false) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${target}: no stats reply within 30 s`));
        }, 30_000);
        pending.set(id, (stats) => {
          clearTimeout(timer);
          resolve(stats);
        });
        child.send({ type: 'stats', id, gc } satisfies StatsRequest);
      }),
    stop: async () => {
      if (child.connected) child.send({ type: 'stop' } satisfies StatsRequest);
      await waitForExit(child);
    },
  };
}
