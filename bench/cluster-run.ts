/**
 * `npm run bench -- --cluster`: runs bench/cluster.ts's measurement for each cursor workload
 * on a throwaway PostgreSQL, prints the tables and the targets, and saves the result to
 * bench/results/<timestamp>-cluster-<size>.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startCluster } from '../tests/support/postgres.js';
import { measureClusterWorkload, type ClusterWorkloadResult } from './cluster.js';
import { checkClusterTargets, renderClusterTable } from './report/cluster-table.js';
import { workloadsFor, type Size, type Timing, type WorkloadName } from './workloads.js';

export interface ClusterRunOptions {
  size: Size;
  timing: Timing;
  only: WorkloadName[];
  tickHz: number;
  workers: number;
  quietWaitMs: number;
  serverCpu: number | null;
  generatorCpu: number | null;
  /** Also print the result as one JSON object on stdout. */
  json: boolean;
  log(line: string): void;
  table(text: string): void;
}

export async function runClusterBench(options: ClusterRunOptions): Promise<void> {
  const { size, log, table } = options;
  const pg = await startCluster();
  process.once('exit', () => pg.destroy());
  const ctx = { ...options, runId: randomBytes(4).toString('hex'), pg };
  const startedAt = new Date();
  const results: ClusterWorkloadResult[] = [];
  for (const workload of workloadsFor(size).filter((w) => options.only.includes(w.name))) {
    if (workload.kind !== 'cursor') continue;
    log(`\n${workload.title}`);
    const result = await measureClusterWorkload(workload, ctx);
    results.push(result);
    table('\n' + renderClusterTable(result));
  }
  const checks = checkClusterTargets(results, size);
  table(
    '\ntargets (several nodes)\n' +
      checks
        .map(([what, measured, pass]) => `  [${pass ? 'pass' : 'FAIL'}] ${what}: ${measured}`)
        .join('\n') +
      '\n',
  );
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const pinned = options.serverCpu !== null;
  const text = JSON.stringify(
    { version: 1, kind: 'cluster', command, size, startedAt, pinned, results },
    null,
    2,
  );
  writeFileSync(new URL(`${stamp}-cluster-${size}.json`, dir), text + '\n');
  log(`saved bench/results/${stamp}-cluster-${size}.json`);
  if (options.json) process.stdout.write(text + '\n');
}
