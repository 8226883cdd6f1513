/** The `--cluster` table (one node beside two nodes with Redis) and its targets. */
import type { LatencySummary } from '../support/histograms.js';
import type { Size } from '../workloads.js';
import { CLUSTER_TARGETS, type ClusterWorkloadResult, type TopologyFigures } from '../cluster.js';

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const ms = (summary: LatencySummary, pick: 'p50Ms' | 'p99Ms') => summary[pick].toFixed(1);

/** One table per workload: one node beside two nodes + Redis. */
export function renderClusterTable(result: ClusterWorkloadResult): string {
  const { oneNode: one, twoNodes: two } = result;
  const cpuParts = (figures: TopologyFigures) =>
    Object.entries(figures.cpuSeconds)
      .map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`)
      .join(', ');
  const rows: Array<[string, string, string]> = [
    ['delivered', percent(one.deliveredRatio), percent(two.deliveredRatio)],
    [
      'delivered or coalesced',
      percent(one.deliveredOrCoalescedRatio),
      percent(two.deliveredOrCoalescedRatio),
    ],
    [
      'latency p50 / p99 (ms)',
      `${ms(one.latency, 'p50Ms')} / ${ms(one.latency, 'p99Ms')}`,
      `${ms(two.latency, 'p50Ms')} / ${ms(two.latency, 'p99Ms')}`,
    ],
    [
      'cross-node p50 / p99 (ms)',
      '-',
      two.crossNode ? `${ms(two.crossNode, 'p50Ms')} / ${ms(two.crossNode, 'p99Ms')}` : '-',
    ],
    [
      'CPU per delivered update (µs)',
      one.cpuUsPerUpdate.toFixed(1),
      `${two.cpuUsPerUpdate.toFixed(1)} (${result.cpuRatio.toFixed(2)}x)`,
    ],
    ['CPU over the window', cpuParts(one), cpuParts(two)],
  ];
  const width = [30, 22, 0];
  const line = (cells: [string, string, string]) =>
    cells.map((cell, i) => (width[i] ? cell.padEnd(width[i]!) : cell)).join(' ');
  return [result.title, line(['', 'one node', 'two nodes + Redis']), ...rows.map(line)].join('\n');
}

/** The targets for the cluster table: [what, measured, pass]. */
export function checkClusterTargets(
  results: ClusterWorkloadResult[],
  size: Size,
): Array<[string, string, boolean]> {
  return results.flatMap((result) => {
    const cross = result.twoNodes.crossNode;
    const checks: Array<[string, string, boolean]> = [
      [
        `${result.name}: total CPU per update <= ${CLUSTER_TARGETS.cpuRatio}x one node`,
        `${result.cpuRatio.toFixed(2)}x`,
        result.cpuRatio <= CLUSTER_TARGETS.cpuRatio,
      ],
    ];
    if (size === 'quick' && cross) {
      checks.unshift([
        `${result.name}: cross-node p99 <= ${CLUSTER_TARGETS.crossNodeP99Ms} ms (quick size)`,
        `${cross.p99Ms.toFixed(1)} ms`,
        cross.p99Ms <= CLUSTER_TARGETS.crossNodeP99Ms,
      ]);
    }
    return checks;
  });
}
