/**
 * How a server under test reports on itself: every server process of the benchmark
 * (ours and both baselines) installs the same responder, so their figures come from
 * the same code. The orchestrator asks over the child-process IPC channel; the server
 * answers with its own CPU time, memory and the bytes its TCP sockets carried.
 */
import { writeFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { Session as InspectorSession } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import type { Socket } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { nowMs } from './clock.js';
import { startSampler } from './cpu-sampler.js';

/** A snapshot of one server process. Counters are cumulative since the process started. */
export interface ServerStats {
  /** When it was taken, on the shared monotonic clock (ms). */
  atMs: number;
  /** `process.cpuUsage()`: user and system CPU time of the whole process (all threads), µs. */
  cpuUserUs: number;
  cpuSystemUs: number;
  /** Event-loop busy and idle time since start (ms), for utilisation over an interval. */
  loopActiveMs: number;
  loopIdleMs: number;
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  /** Bytes written to / read from every accepted TCP socket (WebSocket frames with their headers). */
  bytesWritten: number;
  bytesRead: number;
  /** TCP connections open now. */
  openSockets: number;
  /** Event-loop delay since the previous snapshot (ms), sampled every 10 ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Counters a server wrapper adds (ours: volatile packets Socket.IO discarded). */
  extra: Record<string, number>;
}

/** Orchestrator -> server. `gc` runs a full collection first (needs `--expose-gc`). */
export type StatsRequest =
  | { type: 'stats'; id: number; gc: boolean }
  | { type: 'profile-start'; id: number }
  | { type: 'profile-stop'; id: number; path: string }
  | { type: 'heap-snapshot'; id: number; path: string }
  | { type: 'stop' };

/** Server -> orchestrator. */
export type StatsReply = { type: 'stats'; id: number; stats: ServerStats } | { type: 'profile'; id: number };

function isStatsRequest(message: unknown): message is StatsRequest {
  return typeof message === 'object' && message !== null && 'type' in message;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  // Twice: the first pass can leave objects that only become unreachable after finalizers.
  gc();
  gc();
}

/**
 * Counts the bytes of every TCP connection `httpServer` accepts, including the ones
 * already closed, and answers stats requests on the IPC channel. `stop` closes the
 * server through `close` and exits.
 */
export function installStatsResponder(
  httpServer: HttpServer,
  close: () => Promise<void>,
  extra: () => Record<string, number> = () => ({}),
): void {
  // Set by server-under-test.ts: where the sampler thread writes (cpu-sampler.ts).
  if (process.env.BENCH_SAMPLES_FILE) startSampler(process.env.BENCH_SAMPLES_FILE);
  // Main-thread CPU profile of the measurement window only (`npm run bench -- --profile`).
  const profiler = new InspectorSession();
  profiler.connect();
  const open = new Set<Socket>();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let closedWritten = 0;
  let closedRead = 0;
  httpServer.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      closedWritten += socket.bytesWritten;
      closedRead += socket.bytesRead;
    });
  });

  const snapshot = (): ServerStats => {
    let bytesWritten = closedWritten;
    let bytesRead = closedRead;
    for (const socket of open) {
      bytesWritten += socket.bytesWritten;
      bytesRead += socket.bytesRead;
    }
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const loop = performance.eventLoopUtilization();
    const delayP99Ms = delay.count > 0 ? delay.percentile(99) / 1e6 : 0;
    const delayMaxMs = delay.count > 0 ? delay.max / 1e6 : 0;
    delay.reset();
    return {
      atMs: nowMs(),
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      loopActiveMs: loop.active,
      loopIdleMs: loop.idle,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      rss: mem.rss,
      external: mem.external,
      bytesWritten,
      bytesRead,
      openSockets: open.size,
      loopDelayP99Ms: delayP99Ms,
      loopDelayMaxMs: delayMaxMs,
      extra: extra(),
    };
  };

  process.on('message', (message: unknown) => {
    if (!isStatsRequest(message)) return;
    switch (message.type) {
      case 'stats': {
        if (message.gc) collectGarbage();
        process.send?.({ type: 'stats', id: message.id, stats: snapshot() } satisfies StatsReply);
        break;
      }
      case 'profile-start':
        profiler.post('Profiler.enable', () =>
          profiler.post('Profiler.start', () =>
            process.send?.({ type: 'profile', id: message.id } satisfies StatsReply),
          ),
        );
        break;
      case 'profile-stop': {
        const { id, path } = message;
        profiler.post('Profiler.stop', (error, result) => {
          if (!error) writeFileSync(path, JSON.stringify(result.profile));
          process.send?.({ type: 'profile', id } satisfies StatsReply);
        });
        break;
      }
      case 'heap-snapshot':
        collectGarbage();
        writeHeapSnapshot(message.path);
        process.send?.({ type: 'profile', id: message.id } satisfies StatsReply);
        break;
      case 'stop': {
        const exit = () => process.exit(0);
        // A server that does not close in time is stopped anyway; the run has its figures.
        setTimeout(exit, 3_000).unref();
        close().then(exit, exit);
        break;
      }
    }
  });
  // The orchestrator died: do not linger as an orphan holding a port.
  process.on('disconnect', () => process.exit(0));
}

/** Prints the one line the orchestrator waits for, in the format server/main.ts uses. */
export function announceListening(name: string, httpServer: HttpServer): void {
  const address = httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
  process.stdout.write(`${name} listening on http://${address.address}:${address.port}\n`);
}
