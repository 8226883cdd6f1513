/**
 * A sampler thread inside a server under test: every 50 ms it appends the process's CPU
 * time (all threads), the bytes of its write and read system calls (/proc/self/io, i.e.
 * what its sockets carried) and its RSS to a file the orchestrator reads afterwards. A
 * saturated server answers requests late or not at all, because its event loop is
 * behind; these samples are taken and written on time regardless, so per-update figures
 * stay exact over the intended window even for a server that is drowning.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

export const SAMPLE_MS = 50;

export interface Sample {
  atMs: number;
  cpuUs: number;
  writeBytes: number;
  readBytes: number;
  rss: number;
}

// Plain JavaScript, so the thread needs no TypeScript loader. One JSON array per line.
const SAMPLER = `
const { workerData } = require('node:worker_threads');
const { appendFileSync, readFileSync } = require('node:fs');
const io = () => {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    return [Number(/wchar: (\\d+)/.exec(text)[1]), Number(/rchar: (\\d+)/.exec(text)[1])];
  } catch {
    return [null, null];
  }
};
const sample = () => {
  const [s, ns] = process.hrtime();
  const cpu = process.cpuUsage();
  const [written, read] = io();
  const line = [s * 1e3 + ns / 1e6, cpu.user + cpu.system, written, read, process.memoryUsage.rss()];
  appendFileSync(workerData.path, JSON.stringify(line) + '\\n');
};
sample();
setInterval(sample, ${SAMPLE_MS});
`;

/** Starts the sampler thread writing to `path`; it never keeps the process alive. */
export function startSampler(path: string): void {
  new Worker(SAMPLER, { eval: true, workerData: { path } }).unref();
}

/** Reads what the sampler wrote; an empty list when there is nothing (yet). */
export function readSamples(path: string): Sample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [atMs, cpuUs, writeBytes, readBytes, rss] = JSON.parse(line) as (number | null)[];
    samples.push({
      atMs: atMs ?? NaN,
      cpuUs: cpuUs ?? NaN,
      writeBytes: writeBytes ?? NaN,
      readBytes: readBytes ?? NaN,
      rss: rss ?? NaN,
    });
  }
  return samples;
}

/** Linear interpolation of a counter of `samples` at `atMs`; NaN outside the sampled range. */
export function sampledAt(samples: Sample[], atMs: number, pick: (sample: Sample) => number): number {
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] as Sample;
    const b = samples[i] as Sample;
    if (atMs < a.atMs || atMs > b.atMs) continue;
    const f = b.atMs === a.atMs ? 0 : (atMs - a.atMs) / (b.atMs - a.atMs);
    return pick(a) + f * (pick(b) - pick(a));
  }
  return NaN;
}
