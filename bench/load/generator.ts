/**
 * The load generator process (pinned to its own CPU by the orchestrator): splits the
 * job's users over worker threads, hands every worker the full peer map once all are
 * connected, starts them on one schedule, and merges their counts and histograms. It
 * measures its own CPU over the window so a saturated generator shows in the report.
 */
import { Worker } from 'node:worker_threads';
import { nowMs, nowUs, sleepUntil } from '../support/clock.js';
import { encodeHistogram, mergeHistograms } from '../support/histograms.js';
import type {
  CursorCounts,
  GeneratorCpu,
  GeneratorJob,
  GeneratorToOrchestrator,
  MainToWorker,
  OrchestratorToGenerator,
  Schedule,
  WorkerInit,
  WorkerToMain,
} from './job.js';
import { createLedgerBuffers } from './send-ledger.js';

const send = (message: GeneratorToOrchestrator) => process.send?.(message);

interface WorkerHandle {
  worker: Worker;
  /** The next message of a given type, once. */
  next<T extends WorkerToMain['type']>(type: T): Promise<Extract<WorkerToMain, { type: T }>>;
  post(message: MainToWorker): void;
}

// Worker threads do not inherit tsx's loader on Node 20, so each one registers it first.
const WORKER_URL = new URL('./load-worker.ts', import.meta.url).href;
const BOOT = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(WORKER_URL)});`;

function startWorker(init: WorkerInit): WorkerHandle {
  const worker = new Worker(BOOT, { eval: true, workerData: init });
  const waiting = new Map<string, (message: WorkerToMain) => void>();
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure = error;
    for (const resolve of waiting.values()) resolve({ type: 'error', message: error.message });
    waiting.clear();
  };
  worker.on('message', (message: WorkerToMain) => {
    if (message.type === 'error') {
      failAll(new Error(`worker ${init.worker}: ${message.message}`));
      return;
    }
    waiting.get(message.type)?.(message);
    waiting.delete(message.type);
  });
  worker.on('error', (error) => failAll(error));
  return {
    worker,
    next: (type) =>
      new Promise((resolve, reject) => {
        if (failure) {
          reject(failure);
          return;
        }
        waiting.set(type, (message) => {
          if (message.type === 'error') reject(new Error(message.message));
          else resolve(message as Extract<WorkerToMain, { type: typeof type }>);
        });
      }),
    post: (message) => worker.postMessage(message),
  };
}

let workers: WorkerHandle[] = [];
let job: GeneratorJob | null = null;
let connectMs = 0;
let connected = 0;

async function setup(next: GeneratorJob): Promise<void> {
  job = next;
  const users = next.kind === 'cursor' ? next.rooms * next.usersPerRoom : next.connections;
  const ledger = createLedgerBuffers(users, nowUs());
  const count = Math.max(1, Math.min(next.workers, users));
  const started = nowMs();
  workers = Array.from({ length: count }, (_, worker) =>
    startWorker({
      job: next,
      worker,
      lo: Math.floor((worker * users) / count),
      hi: Math.floor(((worker + 1) * users) / count),
      ledger,
    }),
  );
  const ready = await Promise.all(workers.map((handle) => handle.next('ready')));
  connectMs = nowMs() - started;
  const peers = ready.flatMap((message) => message.peers);
  connected = peers.length;
  for (const handle of workers) handle.post({ type: 'peers', peers });
  send({ type: 'ready', connected: peers.length, connectMs });
}

/** CPU of this process (all threads) since `fromCpu` as a fraction of one core. */
function selfCpu(fromCpu: NodeJS.CpuUsage, fromMs: number, maxLoop: number): GeneratorCpu {
  const cpu = process.cpuUsage(fromCpu);
  const mem = process.memoryUsage();
  const wallUs = (nowMs() - fromMs) * 1000;
  return {
    coreFraction: wallUs > 0 ? (cpu.user + cpu.system) / wallUs : 0,
    maxLoopUtilisation: maxLoop,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
  };
}

function sumCounts(parts: CursorCounts[]): CursorCounts {
  const sum = (pick: (counts: CursorCounts) => number) =>
    parts.reduce((total, part) => total + pick(part), 0);
  const merge = (pick: (counts: CursorCounts) => string) => {
    const merged = mergeHistograms(parts.map(pick));
    const text = encodeHistogram(merged);
    merged.destroy();
    return text;
  };
  return {
    scheduled: sum((c) => c.scheduled),
    clientDropped: sum((c) => c.clientDropped),
    expected: sum((c) => c.expected),
    delivered: sum((c) => c.delivered),
    coalesced: sum((c) => c.coalesced),
    superseded: sum((c) => c.superseded),
    finalMissed: sum((c) => c.finalMissed),
    duplicates: sum((c) => c.duplicates),
    echoes: sum((c) => c.echoes),
    foreign: sum((c) => c.foreign),
    disconnects: sum((c) => c.disconnects),
    receivedSeries: parts.reduce<number[]>(
      (total, part) => part.receivedSeries.map((count, slot) => count + (total[slot] ?? 0)),
      [],
    ),
    frames: sum((c) => c.frames),
    entries: sum((c) => c.entries),
    batchEntryBytes: sum((c) => c.batchEntryBytes),
    batchEntries: sum((c) => c.batchEntries),
    latencyUs: merge((c) => c.latencyUs),
    crossDelivered: sum((c) => c.crossDelivered),
    crossLatencyUs: merge((c) => c.crossLatencyUs),
    lagUs: merge((c) => c.lagUs),
    notes: {
      sent: sum((c) => c.notes.sent),
      acked: sum((c) => c.notes.acked),
      failed: sum((c) => c.notes.failed),
      broadcastsExpected: sum((c) => c.notes.broadcastsExpected),
      broadcastsReceived: sum((c) => c.notes.broadcastsReceived),
      ackUs: merge((c) => c.notes.ackUs),
      broadcastUs: merge((c) => c.notes.broadcastUs),
    },
  };
}

async function start(schedule: Schedule): Promise<void> {
  if (!job) throw new Error('start before setup');
  if (job.kind === 'idle') {
    send({
      type: 'result',
      run: { kind: 'idle', connected, connectMs, generator: selfCpu(process.cpuUsage(), nowMs(), 0) },
    });
    return;
  }
  const results = workers.map((handle) => handle.next('result'));
  for (const handle of workers) handle.post({ type: 'start', schedule });
  await sleepUntil(schedule.windowFromMs);
  const cpuFrom = process.cpuUsage();
  const fromMs = nowMs();
  await sleepUntil(schedule.windowToMs);
  // CPU over the window only: the drain after it is quiet and would dilute the figure.
  const generator = selfCpu(cpuFrom, fromMs, 0);
  const parts = await Promise.all(results);
  generator.maxLoopUtilisation = Math.max(...parts.map((part) => part.loopUtilisation));
  send({
    type: 'result',
    run: { kind: 'cursor', counts: sumCounts(parts.map((part) => part.counts)), generator, connectMs },
  });
}

process.on('message', (message: OrchestratorToGenerator) => {
  const failed = (error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  };
  switch (message.type) {
    case 'setup':
      setup(message.job).catch(failed);
      break;
    case 'start':
      start(message.schedule).catch(failed);
      break;
    case 'stop':
      for (const handle of workers) handle.post({ type: 'stop' });
      // Workers close their sockets; give the FIN packets a moment, then go.
      setTimeout(() => process.exit(0), 200).unref();
      break;
  }
});
process.on('disconnect', () => process.exit(0));
