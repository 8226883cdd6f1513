/**
 * A load-generator worker thread: owns users [lo, hi) of the job, opens their clients,
 * sends cursor updates (and notes) on a fixed schedule, and at every receiver records
 * delivery and one-way latency of each update sent inside the measurement window.
 *
 * Schedule: user u's k-th update is due at sendFrom + (phase(u) + k) / hz, where the
 * phases spread the updates of all users evenly over each period and the members of a
 * room evenly too (u = room r, member q: phase (q * rooms + r) / users), as independent
 * people would be. (Phases in user order would put a room's members within a few
 * milliseconds of each other, so one flush would carry the whole room: kinder to a
 * batching server than real rooms are.) The update carries k (see
 * send-ledger.ts); the send time goes into the shared ledger just before the send.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { Note } from '../../protocol/index.js';
import { nowUs, sleep } from '../support/clock.js';
import { isOurs } from '../support/server-under-test.js';
import { encodeHistogram, newHistogram } from '../support/histograms.js';
import { createClient, type BenchClient } from './clients.js';
import { createLightClient } from './light-clients.js';
import {
  SERIES_SLOT_MS,
  type CursorCounts,
  type MainToWorker,
  type Schedule,
  type WorkerInit,
  type WorkerToMain,
} from './job.js';
import { decodeSeq, encodeSeq, SendLedger } from './send-ledger.js';

const init = workerData as WorkerInit;
const { job, lo, hi } = init;
const port = parentPort;
if (!port) throw new Error('load-worker must run as a worker thread');

const usersPerRoom = job.usersPerRoom;
const totalUsers = job.kind === 'cursor' ? job.rooms * job.usersPerRoom : job.connections;
const ledger = new SendLedger(init.ledger);
const post = (message: WorkerToMain) => port.postMessage(message);

/** Peer id (as the target names peers) -> global user index. */
let peerIndex = new Map<string, number>();
let measured = { fromUs: Infinity, toUs: -Infinity };
/** Receive-time series origin (µs) and slots; sized when the schedule arrives. */
let seriesFromUs = Infinity;
let receivedSeries = new Float64Array(0);
const inWindow = (us: number) => us >= measured.fromUs && us < measured.toUs;

const counts = {
  scheduled: 0,
  clientDropped: 0,
  expected: 0,
  delivered: 0,
  coalesced: 0,
  superseded: 0,
  finalMissed: 0,
  duplicates: 0,
  echoes: 0,
  foreign: 0,
  disconnects: 0,
  frames: 0,
  entries: 0,
  batchEntryBytes: 0,
  batchEntries: 0,
};
const latency = newHistogram();
const crossLatency = newHistogram();
let crossDelivered = 0;
const lag = newHistogram();
const notes = { sent: 0, acked: 0, failed: 0, broadcastsExpected: 0, broadcastsReceived: 0 };
const ackLatency = newHistogram();
const broadcastLatency = newHistogram();
const flushPeriodUs = job.kind === 'cursor' ? job.flushPeriodMs * 1000 : 0;

/** Last seq each owned receiver saw from each member of its room; -1 before the first. */
const lastSeq = new Int32Array((hi - lo) * usersPerRoom).fill(-1);

const roomOf = (user: number) => Math.floor(user / usersPerRoom);
/** With several nodes, member i of each room is on node i mod n (job.ts). */
const urls = job.kind === 'cursor' && job.urls && job.urls.length > 0 ? job.urls : [job.url];
const nodeOf = (user: number) => (user % usersPerRoom) % urls.length;
/** Probes measure; the others only add load (light-clients.ts). Idle connections are all real clients. */
const probesPerRoom = job.kind === 'cursor' ? Math.min(job.probesPerRoom, usersPerRoom) : usersPerRoom;
const isProbe = (user: number) => user % usersPerRoom < probesPerRoom;
/** Probes that should see an update of `sender`: every probe of its room but itself. */
const probeReceivers = (sender: number) => probesPerRoom - (isProbe(sender) ? 1 : 0);

function receiveCursor(receiver: number, fromPeer: string, x: number, y: number): void {
  counts.entries += 1;
  const sender = peerIndex.get(fromPeer);
  if (sender === undefined || roomOf(sender) !== roomOf(receiver)) {
    counts.foreign += 1;
    return;
  }
  if (sender === receiver) {
    counts.echoes += 1;
    return;
  }
  const atUs = nowUs();
  const seq = decodeSeq(x, y);
  const sentUs = ledger.sentAt(sender, seq);
  if (Number.isNaN(sentUs)) {
    counts.foreign += 1;
    return;
  }
  const slot = (receiver - lo) * usersPerRoom + (sender % usersPerRoom);
  const last = lastSeq[slot] as number;
  if (seq <= last) {
    counts.duplicates += 1;
    return;
  }
  lastSeq[slot] = seq;
  const bucket = Math.floor((atUs - seriesFromUs) / (SERIES_SLOT_MS * 1000));
  if (bucket >= 0 && bucket < receivedSeries.length)
    receivedSeries[bucket] = (receivedSeries[bucket] as number) + 1;
  // Updates skipped since the last one seen: coalesced when this one was sent within a flush period of them.
  if (last >= 0) {
    for (let skipped = last + 1; skipped < seq; skipped++) {
      const skippedUs = ledger.sentAt(sender, skipped);
      if (!inWindow(skippedUs)) continue;
      if (sentUs - skippedUs <= flushPeriodUs) counts.coalesced += 1;
      else counts.superseded += 1;
    }
  }
  if (!inWindow(sentUs)) return;
  counts.delivered += 1;
  latency.recordValue(Math.max(1, Math.round(atUs - sentUs)));
  if (nodeOf(sender) !== nodeOf(receiver)) {
    crossDelivered += 1;
    crossLatency.recordValue(Math.max(1, Math.round(atUs - sentUs)));
  }
}

/** Note bodies carry who sent them and when, so receivers can count and time broadcasts. */
const NOTE_BODY = /^bench note u(\d+) k(\d+) t(\d+)$/;

function receiveNote(receiver: number, note: Note): void {
  const match = NOTE_BODY.exec(note.body);
  if (!match) return;
  const sender = Number(match[1]);
  const sentUs = Number(match[3]);
  if (sender === receiver || roomOf(sender) !== roomOf(receiver) || !inWindow(sentUs)) return;
  notes.broadcastsReceived += 1;
  broadcastLatency.recordValue(Math.max(1, Math.round(nowUs() - sentUs)));
}

const clients: BenchClient[] = [];

async function openAll(): Promise<[string, number][]> {
  const peers: [string, number][] = [];
  const withNotes = job.kind === 'idle' || (job.kind === 'cursor' && isOurs(job.target) && job.notesHz > 0);
  for (let user = lo; user < hi; user++) {
    clients.push(
      (isProbe(user) ? createClient : createLightClient)(
        job.target,
        urls[nodeOf(user)] as string,
        {
          index: user,
          room: roomOf(user),
          runId: job.runId,
          notes: withNotes && isOurs(job.target),
        },
        {
          cursor: (fromPeer, x, y) => receiveCursor(user, fromPeer, x, y),
          frame: (batch) => {
            counts.frames += 1;
            if (batch) {
              counts.batchEntryBytes += batch.entryBytes;
              counts.batchEntries += batch.entries;
            }
          },
          noteCreated: (note) => receiveNote(user, note),
          disconnected: (reason) => {
            counts.disconnects += 1;
            if (counts.disconnects <= 3) console.error(`  user ${user} disconnected: ${reason}`);
          },
        },
      ),
    );
  }
  // A bounded number of handshakes in flight, so connecting measures nothing but itself.
  const CONCURRENCY = 32;
  let next = 0;
  const opener = async () => {
    while (next < clients.length) {
      const offset = next++;
      const client = clients[offset] as BenchClient;
      peers.push([await client.open(), lo + offset]);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, opener));
  return peers;
}

function runCursorSchedule(schedule: Schedule, hz: number, notesHz: number): Promise<void> {
  const owned = hi - lo;
  const periodUs = 1e6 / hz;
  const startUs = schedule.sendFromMs * 1000;
  const endUs = schedule.windowToMs * 1000;

  // This worker's users in phase order, so due times grow with m.
  const rooms = Math.ceil(totalUsers / usersPerRoom);
  const phaseOf = (user: number) =>
    ((user % usersPerRoom) * rooms + Math.floor(user / usersPerRoom)) / totalUsers;
  const order = Array.from({ length: owned }, (_, offset) => offset).sort(
    (a, b) => phaseOf(lo + a) - phaseOf(lo + b),
  );
  const offsetOf = (m: number) => order[m % owned] as number;
  const cursorDue = (m: number) => startUs + (phaseOf(lo + offsetOf(m)) + Math.floor(m / owned)) * periodUs;
  const notePeriodUs = 1e6 / notesHz;
  const noteDue = (m: number) =>
    notesHz > 0 ? startUs + (phaseOf(lo + offsetOf(m)) + Math.floor(m / owned)) * notePeriodUs : Infinity;

  let m = 0;
  let n = 0;
  let pendingAcks = 0;

  const sendCursor = (offset: number, seq: number, dueUs: number) => {
    const sender = lo + offset;
    const { x, y } = encodeSeq(seq);
    const atUs = nowUs();
    ledger.record(sender, seq, atUs);
    const sent = (clients[offset] as BenchClient).sendCursor(x, y);
    if (!inWindow(atUs)) return;
    counts.scheduled += 1;
    counts.expected += probeReceivers(sender);
    if (!sent) counts.clientDropped += 1;
    lag.recordValue(Math.max(1, Math.round(atUs - dueUs)));
  };

  const sendNote = (offset: number, k: number) => {
    const sender = lo + offset;
    const atUs = nowUs();
    const counted = inWindow(atUs);
    if (counted) notes.sent += 1;
    pendingAcks += 1;
    (clients[offset] as BenchClient).createNote(
      {
        opId: `op-${job.runId}-${sender}-${k}`,
        anchor: {
          selectors: [{ type: 'TextQuoteSelector', exact: 'shared words', prefix: 'the ', suffix: ' here' }],
        },
        body: `bench note u${sender} k${k} t${Math.round(atUs)}`,
      },
      (outcome) => {
        pendingAcks -= 1;
        if (!counted) return;
        if (!outcome.ok) {
          notes.failed += 1;
          return;
        }
        notes.acked += 1;
        notes.broadcastsExpected += probeReceivers(sender);
        ackLatency.recordValue(Math.max(1, Math.round(nowUs() - atUs)));
      },
    );
  };

  return new Promise((resolve) => {
    // A client writes at most once per macrotask: socket.io-client discards a volatile
    // packet until the write before it finished (a nextTick later). A late generator
    // catching up would otherwise drop its own updates, which no real client does.
    const usedIn = new Int32Array(owned).fill(-1);
    let pumpSerial = 0;
    const pump = () => {
      pumpSerial += 1;
      const now = nowUs();
      for (;;) {
        const dueCursor = cursorDue(m);
        const dueNote = noteDue(n);
        const due = Math.min(dueCursor, dueNote);
        if (due > now || due >= endUs) break;
        const isCursor = dueCursor <= dueNote;
        const offset = offsetOf(isCursor ? m : n);
        if (usedIn[offset] === pumpSerial) {
          setImmediate(pump);
          return;
        }
        usedIn[offset] = pumpSerial;
        if (isCursor) {
          sendCursor(offset, Math.floor(m / owned), dueCursor);
          m += 1;
        } else {
          sendNote(offset, Math.floor(n / owned));
          n += 1;
        }
      }
      const next = Math.min(cursorDue(m), noteDue(n));
      if (next >= endUs) {
        resolve(waitForAcks());
        return;
      }
      setTimeout(pump, Math.max(0, (next - nowUs()) / 1000));
    };
    const waitForAcks = async () => {
      // Acks time out after 10 s in the client, so this ends.
      while (pendingAcks > 0) await sleep(50);
    };
    pump();
  });
}

/** After the drain every sender has stopped: each room mate must show its final position. */
function countFinalMissed(): void {
  for (let receiver = lo; receiver < hi; receiver++) {
    if (!isProbe(receiver)) continue;
    const first = roomOf(receiver) * usersPerRoom;
    for (let sender = first; sender < first + usersPerRoom; sender++) {
      if (sender === receiver) continue;
      const slot = (receiver - lo) * usersPerRoom + (sender % usersPerRoom);
      if ((lastSeq[slot] as number) < ledger.lastSent(sender)) counts.finalMissed += 1;
    }
  }
}

async function runSchedule(schedule: Schedule): Promise<void> {
  measured = { fromUs: schedule.windowFromMs * 1000, toUs: schedule.windowToMs * 1000 };
  seriesFromUs = schedule.sendFromMs * 1000;
  const seriesMs = schedule.windowToMs + schedule.drainMs - schedule.sendFromMs;
  receivedSeries = new Float64Array(Math.ceil(seriesMs / SERIES_SLOT_MS) + 1);
  const loopStart = performance.eventLoopUtilization();
  let loopUtilisation = 0;
  setTimeout(
    () => {
      loopUtilisation = performance.eventLoopUtilization(loopStart).utilization;
    },
    Math.max(0, schedule.windowToMs - nowUs() / 1000),
  );
  if (job.kind === 'cursor') {
    await sleep(schedule.sendFromMs - nowUs() / 1000);
    await runCursorSchedule(schedule, job.hz, isOurs(job.target) ? job.notesHz : 0);
  }
  await sleep(schedule.windowToMs + schedule.drainMs - nowUs() / 1000);
  if (job.kind === 'cursor') countFinalMissed();
  const result: CursorCounts = {
    ...counts,
    receivedSeries: [...receivedSeries],
    latencyUs: encodeHistogram(latency),
    crossDelivered,
    crossLatencyUs: encodeHistogram(crossLatency),
    lagUs: encodeHistogram(lag),
    notes: { ...notes, ackUs: encodeHistogram(ackLatency), broadcastUs: encodeHistogram(broadcastLatency) },
  };
  post({ type: 'result', counts: result, loopUtilisation });
}

port.on('message', (message: MainToWorker) => {
  switch (message.type) {
    case 'peers':
      peerIndex = new Map(message.peers);
      break;
    case 'start':
      runSchedule(message.schedule).catch((error: unknown) =>
        post({ type: 'error', message: String(error) }),
      );
      break;
    case 'stop':
      for (const client of clients) client.close();
      port.close();
      break;
  }
});

openAll().then(
  (peers) => post({ type: 'ready', peers }),
  (error: unknown) =>
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
);
