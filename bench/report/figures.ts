/**
 * The figures of a benchmark run: raw generator counts and server snapshots turned
 * into the numbers the issue asks for, and the shape of the JSON result file.
 */
import { SERIES_SLOT_MS, type CursorRun, type IdleRun, type Schedule } from '../load/job.js';
import { summarizeEncoded, type LatencySummary } from '../support/histograms.js';
import { sampledAt, type Sample } from '../support/cpu-sampler.js';
import type { ServerStats } from '../support/server-stats.js';
import { BASELINES, OURS, type TargetName } from '../support/server-under-test.js';
import type { Size, Timing, WorkloadName } from '../workloads.js';

export interface NoteFigures {
  sent: number;
  acked: number;
  failed: number;
  /** Creates sent in the window and not acked ok. */
  lost: number;
  ack: LatencySummary;
  broadcastsExpected: number;
  broadcastsReceived: number;
  broadcast: LatencySummary;
}

export interface CursorFigures {
  kind: 'cursor';
  /** Updates sent in the window, and how many of them the client library dropped before the socket. */
  sent: number;
  clientDropped: number;
  /** Sum over sent updates of (room size - 1). */
  expected: number;
  /** Distinct (receiver, update) pairs seen, for updates sent in the window. */
  delivered: number;
  deliveredRatio: number;
  /**
   * Of the missing ones: replaced by a newer position of the same sender sent within one
   * flush period of the room (ours merges those by design; the relays never do).
   */
  coalesced: number;
  /** (delivered + coalesced) / expected: every update either arrived or was merged by design. */
  deliveredOrCoalescedRatio: number;
  /** Of the missing ones: replaced by a newer position sent more than a flush period later. */
  superseded: number;
  /** Missing and never replaced, or not yet arrived after the drain. */
  lost: number;
  /** (receiver, sender) pairs left showing a stale final position. */
  finalMissed: number;
  duplicates: number;
  echoes: number;
  foreign: number;
  /** Sender to receiver, through the server, same clock. */
  latency: LatencySummary;
  /** Connections that closed during the run (should be 0). */
  disconnects: number;
  /**
   * Server CPU (user + system, whole process) between two snapshots inside the window,
   * divided by the updates that reached receivers between the same two instants.
   */
  serverCpuUsPerUpdate: number;
  /**
   * Time between the two main-thread snapshots as a fraction of the window: well below 1
   * when the server's event loop answered the first one late (its loop figures then cover
   * less than the window; CPU and bytes come from the sampler thread and stay exact).
   */
  snapshotSpan: number;
  /** Server CPU over the window as a fraction of one core. */
  serverCores: number;
  serverLoopUtilisation: number;
  /** Event-loop delay of the server between the snapshots. */
  serverLoopDelayP99Ms: number;
  serverLoopDelayMaxMs: number;
  /**
   * Ours: batches (one per receiving socket) Socket.IO discarded between the snapshots
   * because the socket's previous write had not completed (volatile emit). NaN elsewhere.
   */
  serverVolatileDropped: number;
  /**
   * Updates received by all clients between the two server snapshots (the divisor of the
   * per-update figures): probes' receipts times users per room / probes per room.
   */
  updatesBetweenSnapshots: number;
  /** Bytes the server wrote on its TCP sockets between the snapshots, per update received then. */
  bytesPerUpdate: number;
  /** Bytes the server read, per update sent. */
  bytesInPerSend: number;
  /** Cursor entries per WebSocket message received (batch size; 1 for the baselines). */
  entriesPerFrame: number;
  /** Ours: JSON bytes of one entry inside a packed batch, as probes received them; NaN for the baselines. */
  bytesPerBatchEntry: number;
  heapUsed: number;
  rss: number;
  /**
   * CPU other processes used on the server's and the generator's cores during the window,
   * in cores (busy time from /proc/stat minus our own). Above ~0.1 the run was disturbed.
   */
  otherLoad: { serverCore: number; generatorCore: number };
  generator: {
    cores: number;
    maxLoopUtilisation: number;
    /** How late sends left against their schedule. */
    lagP99Ms: number;
    lagMaxMs: number;
    rss: number;
  };
  connectMs: number;
  notes: NoteFigures | null;
  /** Measurements taken (the least disturbed is kept); more than 1 when others disturbed the first. */
  attempts: number;
}

export interface IdleFigures {
  kind: 'idle';
  connections: number;
  /** Live heap (after a full GC) per connection: (loaded - empty) / connections. */
  heapPerConnection: number;
  rssPerConnection: number;
  heapEmpty: number;
  heapLoaded: number;
  rssEmpty: number;
  rssLoaded: number;
  connectMs: number;
  generatorRss: number;
}

export type TargetFigures = CursorFigures | IdleFigures;

/** ours / baseline for the figures where smaller is better. */
export interface Ratios {
  serverCpuUsPerUpdate?: number;
  bytesPerUpdate?: number;
  latencyP99?: number;
  heapPerConnection?: number;
}

export interface WorkloadResult {
  name: WorkloadName;
  title: string;
  params: Record<string, number>;
  targets: Partial<Record<TargetName, TargetFigures>>;
  /** Targets whose measurement failed, with the reason. */
  failures: Partial<Record<TargetName, string>>;
  /** ours divided by each baseline: `ratios.ours['socketio-relay']`. */
  ratios: Partial<Record<OursName, Partial<Record<BaselineName, Ratios>>>>;
}

export interface BenchResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  size: Size;
  command: string;
  machine: { cpus: number; model: string; node: string; platform: string; pinned: boolean };
  /** The commit measured, and whether server/ or protocol/ had uncommitted changes then. */
  source?: { commit: string; dirty: boolean };
  config: {
    tickHz: number;
    workers: number;
    timing: Timing;
    serverCpu: number;
    generatorCpu: number;
    /** `--rooms`: fan-out and notes rooms instead of the size's; null or absent otherwise. */
    fanOutRooms?: number | null;
    /** The note store of our server (`--store`); SQLite when absent. */
    store?: 'sqlite' | 'postgres';
  };
  workloads: WorkloadResult[];
}

const safeDiv = (a: number, b: number) => (b > 0 ? a / b : NaN);

/** Stands in for a snapshot the server's event loop never answered: every figure unknown. */
export function unansweredStats(atMs: number): ServerStats {
  return {
    atMs,
    cpuUserUs: NaN,
    cpuSystemUs: NaN,
    loopActiveMs: NaN,
    loopIdleMs: NaN,
    heapUsed: NaN,
    heapTotal: NaN,
    rss: NaN,
    external: NaN,
    bytesWritten: NaN,
    bytesRead: NaN,
    openSockets: NaN,
    loopDelayP99Ms: NaN,
    loopDelayMaxMs: NaN,
    extra: {},
  };
}

/** Updates received between `fromMs` and `toMs`, from a series of slots starting at `originMs`. */
function receivedBetween(series: number[], originMs: number, fromMs: number, toMs: number): number {
  let total = 0;
  for (let slot = 0; slot < series.length; slot++) {
    const start = originMs + slot * SERIES_SLOT_MS;
    const overlap = Math.min(toMs, start + SERIES_SLOT_MS) - Math.max(fromMs, start);
    if (overlap > 0) total += ((series[slot] as number) * overlap) / SERIES_SLOT_MS;
  }
  return total;
}

export interface CoreSample {
  /** Busy seconds per core (see support/core-load.ts). */
  busy: number[];
  atMs: number;
}

function otherLoad(from: CoreSample, to: CoreSample, core: number, ownCores: number): number {
  const a = from.busy[core];
  const b = to.busy[core];
  if (a === undefined || b === undefined) return NaN;
  return Math.max(0, (b - a) / ((to.atMs - from.atMs) / 1000) - ownCores);
}

export function cursorFigures(
  run: CursorRun,
  schedule: Schedule,
  snapshots: {
    before: ServerStats;
    after: ServerStats;
    coresBefore: CoreSample;
    coresAfter: CoreSample;
    samples: Sample[];
  },
  cores: { server: number; generator: number },
  /** Users per room / probes per room: every receiver gets as many updates as a probe does. */
  receiverScale: number,
): CursorFigures {
  const { before, after, samples } = snapshots;
  const c = run.counts;
  // The sampler thread's record covers exactly the window even when the event loop lagged;
  // the main thread's snapshots are the fallback where /proc is missing.
  const from = schedule.windowFromMs;
  const to = schedule.windowToMs;
  const sampled = (pick: (s: Sample) => number) =>
    sampledAt(samples, to, pick) - sampledAt(samples, from, pick);
  const exact = Number.isFinite(sampled((s) => s.writeBytes));
  const spanFrom = exact ? from : before.atMs;
  const spanTo = exact ? to : after.atMs;
  // Only probes count what they receive; load clients get the same share each.
  const updates = receivedBetween(c.receivedSeries, schedule.sendFromMs, spanFrom, spanTo) * receiverScale;
  const cpuUs = exact
    ? sampled((s) => s.cpuUs)
    : after.cpuUserUs + after.cpuSystemUs - (before.cpuUserUs + before.cpuSystemUs);
  const bytesOut = exact ? sampled((s) => s.writeBytes) : after.bytesWritten - before.bytesWritten;
  const bytesIn = exact ? sampled((s) => s.readBytes) : after.bytesRead - before.bytesRead;
  const wallMs = spanTo - spanFrom;
  const loopActive = after.loopActiveMs - before.loopActiveMs;
  const loopIdle = after.loopIdleMs - before.loopIdleMs;
  const lag = summarizeEncoded([c.lagUs]);
  const notes: NoteFigures | null =
    c.notes.sent > 0
      ? {
          sent: c.notes.sent,
          acked: c.notes.acked,
          failed: c.notes.failed,
          lost: c.notes.sent - c.notes.acked,
          ack: summarizeEncoded([c.notes.ackUs]),
          broadcastsExpected: c.notes.broadcastsExpected,
          broadcastsReceived: c.notes.broadcastsReceived,
          broadcast: summarizeEncoded([c.notes.broadcastUs]),
        }
      : null;
  return {
    kind: 'cursor',
    sent: c.scheduled,
    clientDropped: c.clientDropped,
    expected: c.expected,
    delivered: c.delivered,
    deliveredRatio: safeDiv(c.delivered, c.expected),
    coalesced: c.coalesced,
    deliveredOrCoalescedRatio: safeDiv(c.delivered + c.coalesced, c.expected),
    superseded: c.superseded,
    lost: c.expected - c.delivered - c.coalesced - c.superseded,
    finalMissed: c.finalMissed,
    duplicates: c.duplicates,
    echoes: c.echoes,
    foreign: c.foreign,
    disconnects: c.disconnects,
    latency: summarizeEncoded([c.latencyUs]),
    serverCpuUsPerUpdate: safeDiv(cpuUs, updates),
    snapshotSpan: safeDiv(after.atMs - before.atMs, to - from),
    serverCores: safeDiv(cpuUs, wallMs * 1000),
    serverLoopUtilisation: safeDiv(loopActive, loopActive + loopIdle),
    serverLoopDelayP99Ms: after.loopDelayP99Ms,
    serverLoopDelayMaxMs: after.loopDelayMaxMs,
    serverVolatileDropped: (after.extra.volatileDropped ?? NaN) - (before.extra.volatileDropped ?? NaN),
    updatesBetweenSnapshots: Math.round(updates),
    bytesPerUpdate: safeDiv(bytesOut, updates),
    bytesInPerSend: safeDiv(bytesIn, (c.scheduled * wallMs) / (to - from)),
    entriesPerFrame: safeDiv(c.entries, c.frames),
    bytesPerBatchEntry: safeDiv(c.batchEntryBytes, c.batchEntries),
    heapUsed: after.heapUsed,
    rss: Number.isFinite(after.rss) ? after.rss : sampledAt(samples, to, (s) => s.rss),
    otherLoad: {
      serverCore: otherLoad(
        snapshots.coresBefore,
        snapshots.coresAfter,
        cores.server,
        safeDiv(cpuUs, wallMs * 1000),
      ),
      generatorCore: otherLoad(
        snapshots.coresBefore,
        snapshots.coresAfter,
        cores.generator,
        run.generator.coreFraction,
      ),
    },
    generator: {
      cores: run.generator.coreFraction,
      maxLoopUtilisation: run.generator.maxLoopUtilisation,
      lagP99Ms: lag.p99Ms,
      lagMaxMs: lag.maxMs,
      rss: run.generator.rss,
    },
    connectMs: run.connectMs,
    notes,
    attempts: 1,
  };
}

export function idleFigures(run: IdleRun, empty: ServerStats, loaded: ServerStats): IdleFigures {
  return {
    kind: 'idle',
    connections: run.connected,
    heapPerConnection: safeDiv(loaded.heapUsed - empty.heapUsed, run.connected),
    rssPerConnection: safeDiv(loaded.rss - empty.rss, run.connected),
    heapEmpty: empty.heapUsed,
    heapLoaded: loaded.heapUsed,
    rssEmpty: empty.rss,
    rssLoaded: loaded.rss,
    connectMs: run.connectMs,
    generatorRss: run.generator.rss,
  };
}

type OursName = (typeof OURS)[number];
type BaselineName = (typeof BASELINES)[number];

/** ours / each baseline, for every figure where both have a value. */
export function ratiosOf(
  targets: Partial<Record<TargetName, TargetFigures>>,
): Partial<Record<OursName, Partial<Record<BaselineName, Ratios>>>> {
  const all: Partial<Record<OursName, Partial<Record<BaselineName, Ratios>>>> = {};
  for (const name of OURS) {
    const ours = targets[name];
    if (ours) all[name] = ratiosAgainstBaselines(ours, targets);
  }
  return all;
}

function ratiosAgainstBaselines(
  ours: TargetFigures,
  targets: Partial<Record<TargetName, TargetFigures>>,
): Partial<Record<BaselineName, Ratios>> {
  const out: Partial<Record<BaselineName, Ratios>> = {};
  for (const baseline of BASELINES) {
    const other = targets[baseline];
    if (!other) continue;
    if (ours.kind === 'cursor' && other.kind === 'cursor') {
      out[baseline] = {
        serverCpuUsPerUpdate: safeDiv(ours.serverCpuUsPerUpdate, other.serverCpuUsPerUpdate),
        bytesPerUpdate: safeDiv(ours.bytesPerUpdate, other.bytesPerUpdate),
        latencyP99: safeDiv(ours.latency.p99Ms, other.latency.p99Ms),
      };
    } else if (ours.kind === 'idle' && other.kind === 'idle') {
      out[baseline] = { heapPerConnection: safeDiv(ours.heapPerConnection, other.heapPerConnection) };
    }
  }
  return out;
}
