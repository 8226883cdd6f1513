/**
 * A sampler thread inside a server under test: every 50 ms it records the process's
 * CPU time (all threads), the bytes of its write and read system calls (/proc/self/io,
 * i.e. what its sockets carried) and RSS into shared memory. A saturated server answers
 * stats requests late, because its event loop is behind; these samples are taken on
 * time regardless, so per-update figures stay exact over the intended window.
 */
import { Worker } from 'node:worker_threads';

/** Fields per sample: atMs, cpuUserUs, cpuSystemUs, writeBytes, readBytes, rss. */
const FIELDS = 6;
const CAPACITY = 16_384; // 13 minutes at 50 ms
export const SAMPLE_MS = 50;

export interface Sample {
  atMs: number;
  cpuUs: number;
  writeBytes: number;
  readBytes: number;
  rss: number;
}

// Plain JavaScript, so the thread needs no TypeScript loader.
const SAMPLER = `
const { workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const data = new Float64Array(workerData.buffer);
const count = new Int32Array(workerData.counter);
const io = () => {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    return [Number(/wchar: (\\d+)/.exec(text)[1]), Number(/rchar: (\\d+)/.exec(text)[1])];
  } catch {
    return [NaN, NaN];
  }
};
const sample = () => {
  const n = Atomics.load(count, 0);
  if (n >= ${CAPACITY}) return;
  const [s, ns] = process.hrtime();
  const cpu = process.cpuUsage();
  const [written, read] = io();
  data.set([s * 1e3 + ns / 1e6, cpu.user, cpu.system, written, read, process.memoryUsage.rss()], n * ${FIELDS});
  Atomics.store(count, 0, n + 1);
};
sample();
setInterval(sample, ${SAMPLE_MS});
`;

export class CpuSampler {
  private readonly buffer = new SharedArrayBuffer(CAPACITY * FIELDS * Float64Array.BYTES_PER_ELEMENT);
  private readonly counter = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  private readonly worker: Worker;

  constructor() {
    this.worker = new Worker(SAMPLER, {
      eval: true,
      workerData: { buffer: this.buffer, counter: this.counter },
    });
    // The sampler never keeps the server alive.
    this.worker.unref();
  }

  /** Every sample so far, oldest first. */
  samples(): Sample[] {
    const data = new Float64Array(this.buffer);
    const count = Atomics.load(new Int32Array(this.counter), 0);
    const out: Sample[] = [];
    for (let i = 0; i < count; i++) {
      const at = i * FIELDS;
      out.push({
        atMs: data[at] as number,
        cpuUs: (data[at + 1] as number) + (data[at + 2] as number),
        writeBytes: data[at + 3] as number,
        readBytes: data[at + 4] as number,
        rss: data[at + 5] as number,
      });
    }
    return out;
  }
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
