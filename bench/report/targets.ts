/**
 * The performance targets (docs/PERFORMANCE.md), checked against a run. A target set for the full size is
 * reported "at quick size" for a quick run rather than claimed from smaller numbers.
 */
import type { BenchResult, CursorFigures, IdleFigures, WorkloadResult } from './figures.js';
import { fmt, percent } from './tables.js';

export type Verdict =
  'met' | 'not met' | 'met at quick size' | 'not met at quick size' | 'measured by npm run bench:browser';

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: Verdict;
}

function cursor(workload: WorkloadResult | undefined, name: 'ours' | 'ws-relay' | 'socketio-relay') {
  const figures = workload?.targets[name];
  return figures?.kind === 'cursor' ? (figures as CursorFigures) : undefined;
}

function idle(workload: WorkloadResult | undefined) {
  const figures = workload?.targets.ours;
  return figures?.kind === 'idle' ? (figures as IdleFigures) : undefined;
}

export function checkTargets(result: BenchResult): TargetCheck[] {
  const find = (name: string) => result.workloads.find((w) => w.name === name);
  const full = result.size === 'full';
  const verdict = (ok: boolean, needsFull: boolean): Verdict =>
    needsFull && !full ? (ok ? 'met at quick size' : 'not met at quick size') : ok ? 'met' : 'not met';
  const checks: TargetCheck[] = [];

  const fanOut = find('fan-out');
  const ours = cursor(fanOut, 'ours');
  const ws = cursor(fanOut, 'ws-relay');
  const sio = cursor(fanOut, 'socketio-relay');
  if (ours) {
    checks.push({
      target: 'fan-out: >= 99.9% delivered',
      measured: `${percent(ours.deliveredRatio, 3)} (${percent(ours.deliveredOrCoalescedRatio, 3)} delivered or coalesced by design)`,
      verdict: verdict(ours.deliveredRatio >= 0.999, true),
    });
    checks.push({
      target: 'fan-out: p99 <= 50 ms',
      measured: `${fmt(ours.latency.p99Ms, 2)} ms`,
      verdict: verdict(ours.latency.p99Ms <= 50, true),
    });
    if (ws && sio) {
      const perSio = ours.serverCpuUsPerUpdate / sio.serverCpuUsPerUpdate;
      const perWs = ours.serverCpuUsPerUpdate / ws.serverCpuUsPerUpdate;
      checks.push({
        target: 'fan-out: server CPU per update <= 1/3 of the Socket.IO relay and below the ws relay',
        measured: `${fmt(ours.serverCpuUsPerUpdate, 2)} us = ${fmt(perSio, 2)}x Socket.IO relay, ${fmt(perWs, 2)}x ws relay`,
        verdict: verdict(perSio <= 1 / 3 && perWs < 1, true),
      });
    }
    checks.push({
      target: '<= 16 bytes per cursor update inside a batch',
      measured:
        `${fmt(ours.bytesPerBatchEntry, 1)} bytes per entry (fan-out; whole frames with headers, ` +
        `event name and the receiver's own entry: ${fmt(ours.bytesPerUpdate, 1)} per delivered update)`,
      verdict: verdict(ours.bytesPerBatchEntry <= 16, false),
    });
  }

  const big = cursor(find('big-room'), 'ours');
  if (big) {
    checks.push({
      target: 'big room: p99 <= 50 ms with >= 99% delivered',
      measured:
        `p99 ${fmt(big.latency.p99Ms, 2)} ms, ${percent(big.deliveredRatio, 3)} delivered ` +
        `(${percent(big.deliveredOrCoalescedRatio, 3)} delivered or coalesced by design)`,
      verdict: verdict(big.latency.p99Ms <= 50 && big.deliveredRatio >= 0.99, true),
    });
  }

  const idleOurs = idle(find('idle'));
  if (idleOurs) {
    checks.push({
      target: 'idle: <= 8 KB heap per connection',
      measured: `${fmt(idleOurs.heapPerConnection / 1024, 2)} KB`,
      verdict: verdict(idleOurs.heapPerConnection <= 8 * 1024, false),
    });
  }

  const notes = cursor(find('notes'), 'ours')?.notes;
  if (notes) {
    checks.push({
      target: 'notes under load: zero loss (every create acked, every broadcast received)',
      measured: `${notes.acked}/${notes.sent} acked, ${notes.broadcastsReceived}/${notes.broadcastsExpected} broadcasts`,
      verdict: verdict(notes.lost === 0 && notes.broadcastsReceived >= notes.broadcastsExpected, false),
    });
  }

  checks.push({
    target: 'browser path (pointer move to remote overlay): p50 <= 25 ms, p99 <= 60 ms',
    measured: 'in real Chromium, outside this suite: see "Browser path"',
    verdict: 'measured by npm run bench:browser',
  });
  return checks;
}
