/**
 * Result tables: one per workload, ours beside both baselines with ratios (ours divided
 * by the baseline; below 1 means ours is smaller, which for these figures is better).
 * The same rows render as plain text for the terminal and as Markdown for the docs.
 */
import { BASELINES, OURS, type TargetName } from '../support/server-under-test.js';
import type { CursorFigures, IdleFigures, TargetFigures, WorkloadResult } from './figures.js';

type Row = {
  label: string;
  cells: Partial<Record<TargetName, string>>;
  ratio?: (f: TargetFigures) => number;
};

const COLUMNS: readonly TargetName[] = ['ours', 'ws-relay', 'socketio-relay'];

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const percent = (ratio: number, digits = 2) =>
  Number.isFinite(ratio) ? `${fmt(ratio * 100, digits)}%` : '-';
const mb = (bytes: number) => fmt(bytes / 1024 / 1024, 1);
const kb = (bytes: number) => fmt(bytes / 1024, 2);
const ratioText = (value: number) => (Number.isFinite(value) ? `${fmt(value, 2)}x` : '-');

function cursorRows(targets: Partial<Record<TargetName, TargetFigures>>): Row[] {
  const pick = <T>(f: (c: CursorFigures) => T) => {
    const cells: Partial<Record<TargetName, T>> = {};
    for (const name of COLUMNS) {
      const figures = targets[name];
      if (figures?.kind === 'cursor') cells[name] = f(figures);
    }
    return cells;
  };
  const text = (f: (c: CursorFigures) => string) => pick(f) as Partial<Record<TargetName, string>>;
  const num = (f: (c: CursorFigures) => number) => (x: TargetFigures) => (x.kind === 'cursor' ? f(x) : NaN);
  const rows: Row[] = [
    {
      label: 'delivered / expected',
      cells: text((c) => `${percent(c.deliveredRatio, 3)} (${c.delivered.toLocaleString('en-US')})`),
    },
    {
      label: 'missed: coalesced / superseded / lost',
      cells: text((c) => `${c.coalesced} / ${c.superseded} / ${c.lost}`),
    },
    { label: 'stale final positions', cells: text((c) => String(c.finalMissed)) },
    {
      label: 'client drops / dup / echo / disconn.',
      cells: text((c) => `${c.clientDropped} / ${c.duplicates} / ${c.echoes} / ${c.disconnects}`),
    },
    {
      label: 'latency p50 (ms)',
      cells: text((c) => fmt(c.latency.p50Ms, 2)),
      ratio: num((c) => c.latency.p50Ms),
    },
    {
      label: 'latency p99 (ms)',
      cells: text((c) => fmt(c.latency.p99Ms, 2)),
      ratio: num((c) => c.latency.p99Ms),
    },
    {
      label: 'latency max (ms)',
      cells: text((c) => fmt(c.latency.maxMs, 2)),
      ratio: num((c) => c.latency.maxMs),
    },
    {
      label: 'server CPU us / update',
      cells: text((c) => fmt(c.serverCpuUsPerUpdate, 2)),
      ratio: num((c) => c.serverCpuUsPerUpdate),
    },
    {
      label: 'server CPU (cores)',
      cells: text((c) => fmt(c.serverCores, 2)),
      ratio: num((c) => c.serverCores),
    },
    {
      label: 'server loop delay p99 / max ms',
      cells: text((c) => `${fmt(c.serverLoopDelayP99Ms, 1)} / ${fmt(c.serverLoopDelayMaxMs, 1)}`),
    },
    { label: 'server volatile discards', cells: text((c) => fmt(c.serverVolatileDropped, 0)) },
    {
      label: 'bytes out / update',
      cells: text((c) => fmt(c.bytesPerUpdate, 1)),
      ratio: num((c) => c.bytesPerUpdate),
    },
    { label: 'bytes / update inside a batch', cells: text((c) => fmt(c.bytesPerBatchEntry, 1)) },
    {
      label: 'bytes in / send',
      cells: text((c) => fmt(c.bytesInPerSend, 1)),
      ratio: num((c) => c.bytesInPerSend),
    },
    { label: 'updates / message', cells: text((c) => fmt(c.entriesPerFrame, 2)) },
    { label: 'server heap MB', cells: text((c) => mb(c.heapUsed)), ratio: num((c) => c.heapUsed) },
    { label: 'server RSS MB', cells: text((c) => mb(c.rss)), ratio: num((c) => c.rss) },
    {
      label: 'generator CPU (cores) / lag p99 ms',
      cells: text((c) => `${fmt(c.generator.cores, 2)} / ${fmt(c.generator.lagP99Ms, 1)}`),
    },
    {
      label: 'other load: server / gen core',
      cells: text((c) => `${fmt(c.otherLoad.serverCore, 2)} / ${fmt(c.otherLoad.generatorCore, 2)}`),
    },
  ];
  const withNotes = pick((c) => c.notes);
  if (Object.values(withNotes).some((n) => n !== null)) {
    const notes = (f: (n: NonNullable<CursorFigures['notes']>) => string) =>
      text((c) => (c.notes ? f(c.notes) : '-'));
    rows.push(
      { label: 'notes acked / sent', cells: notes((n) => `${n.acked} / ${n.sent} (${n.lost} lost)`) },
      {
        label: 'note ack p50 / p99 / max ms',
        cells: notes((n) => `${fmt(n.ack.p50Ms, 1)} / ${fmt(n.ack.p99Ms, 1)} / ${fmt(n.ack.maxMs, 1)}`),
      },
      {
        label: 'note broadcasts recv / exp',
        cells: notes((n) => `${n.broadcastsReceived} / ${n.broadcastsExpected}`),
      },
      { label: 'note broadcast p99 ms', cells: notes((n) => fmt(n.broadcast.p99Ms, 1)) },
    );
  }
  return rows;
}

function idleRows(targets: Partial<Record<TargetName, TargetFigures>>): Row[] {
  const text = (f: (i: IdleFigures) => string) => {
    const cells: Partial<Record<TargetName, string>> = {};
    for (const name of COLUMNS) {
      const figures = targets[name];
      if (figures?.kind === 'idle') cells[name] = f(figures);
    }
    return cells;
  };
  const num = (f: (i: IdleFigures) => number) => (x: TargetFigures) => (x.kind === 'idle' ? f(x) : NaN);
  return [
    { label: 'connections', cells: text((i) => i.connections.toLocaleString('en-US')) },
    {
      label: 'heap KB / connection',
      cells: text((i) => kb(i.heapPerConnection)),
      ratio: num((i) => i.heapPerConnection),
    },
    {
      label: 'RSS KB / connection',
      cells: text((i) => kb(i.rssPerConnection)),
      ratio: num((i) => i.rssPerConnection),
    },
    {
      label: 'server heap MB (empty -> loaded)',
      cells: text((i) => `${mb(i.heapEmpty)} -> ${mb(i.heapLoaded)}`),
    },
    {
      label: 'server RSS MB (empty -> loaded)',
      cells: text((i) => `${mb(i.rssEmpty)} -> ${mb(i.rssLoaded)}`),
    },
    { label: 'connect all (s)', cells: text((i) => fmt(i.connectMs / 1000, 1)) },
  ];
}

function tableCells(workload: WorkloadResult): { header: string[]; body: string[][] } {
  const present = COLUMNS.filter((name) => workload.targets[name] !== undefined);
  const pairs = OURS.flatMap((ours) =>
    BASELINES.filter((b) => workload.targets[ours] !== undefined && workload.targets[b] !== undefined).map(
      (baseline) => [ours, baseline] as const,
    ),
  );
  const rows =
    Object.values(workload.targets)[0]?.kind === 'idle'
      ? idleRows(workload.targets)
      : cursorRows(workload.targets);
  const header = ['', ...present, ...pairs.map(([ours, baseline]) => `${ours} / ${baseline}`)];
  const body = rows.map((row) => [
    row.label,
    ...present.map((name) => row.cells[name] ?? '-'),
    ...pairs.map(([name, baseline]) => {
      const ours = workload.targets[name];
      const other = workload.targets[baseline];
      if (!row.ratio || !ours || !other) return '';
      const denominator = row.ratio(other);
      return ratioText(denominator === 0 ? NaN : row.ratio(ours) / denominator);
    }),
  ]);
  return { header, body };
}

function failureLines(workload: WorkloadResult): string[] {
  return Object.entries(workload.failures ?? {}).map(
    ([target, reason]) => `${target}: measurement failed: ${reason}`,
  );
}

/** Plain text, aligned, for a terminal. */
export function renderText(workload: WorkloadResult): string {
  const { header, body } = tableCells(workload);
  const all = [header, ...body];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0)))
      .join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [workload.title, line(header), rule, ...body.map(line), ...failureLines(workload)].join('\n') + '\n';
}

/** A GitHub Markdown table. */
export function renderMarkdown(workload: WorkloadResult): string {
  const { header, body } = tableCells(workload);
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  const align = `| --- | ${header
    .slice(1)
    .map(() => '---:')
    .join(' | ')} |`;
  const failed = failureLines(workload);
  return (
    [line(header), align, ...body.map(line), ...(failed.length > 0 ? ['', ...failed] : [])].join('\n') + '\n'
  );
}
