/**
 * `npm run bench:notes-view`: how long the notes view takes to apply one note to a long
 * real page that already holds many notes, in real Chromium (Debian's, through
 * playwright-core). The page is one of tests/fixtures/real-pages (default: ietf-1, the one
 * with the most text), served from 127.0.0.1 with every other host blocked; the view is the
 * real NotesView on the real overlay, bundled with Vite and run in the page (in-page.ts).
 *
 *   npm run bench:notes-view                      ietf-1, 200 notes, 40 timed runs each
 *   npm run bench:notes-view -- --page wikipedia --notes 200 --runs 40 --json
 *
 * Figures per scenario: `sync` is from the call until the new card is laid out; `deferred`
 * is the view's work in the animation frames after it; `total` is both.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { serveDirectory } from '../../tests/e2e/support/static-server.js';

const { values: args } = parseArgs({
  options: {
    page: { type: 'string', default: 'ietf-1' },
    notes: { type: 'string', default: '200' },
    runs: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '5' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '800' },
    json: { type: 'boolean', default: false },
    /** Writes a CPU profile of the timed remote runs to this file (open it in Chrome's DevTools). */
    profile: { type: 'string', default: '' },
  },
});

const ROOT = resolve(import.meta.dirname, '../..');
const NOTES = Number(args.notes);
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);

interface Sample {
  sync: number;
  deferred: number;
}

async function bundle(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    build: {
      write: false,
      minify: false,
      lib: { entry: resolve(import.meta.dirname, 'in-page.ts'), formats: ['iife'], name: 'notesBenchPage' },
    },
  });
  const first = Array.isArray(output) ? output[0] : output;
  if (!first || !('output' in first)) throw new Error('vite gave no bundle');
  const chunk = first.output.find((item) => item.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('vite gave no chunk');
  return chunk.code;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at]!;
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    median: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

async function main(): Promise<void> {
  const code = await bundle();
  const pages = await serveDirectory(resolve(ROOT, 'tests/fixtures/real-pages'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  });
  try {
    const context = await browser.newContext({
      viewport: { width: Number(args.width), height: Number(args.height) },
    });
    await context.route(
      (url) =>
        url.hostname !== 'localhost' && url.hostname !== '127.0.0.1' && url.protocol.startsWith('http'),
      (route) => route.abort('internetdisconnected'),
    );
    const page = await context.newPage();
    await page.goto(`${pages.url}/${args.page}/source.html`, { waitUntil: 'load' });
    await page.addScriptTag({ content: code });
    const setup = await page.evaluate(
      ([count, extra]) =>
        (
          globalThis as unknown as { notesBench: { setup(n: number, e: number): Promise<unknown> } }
        ).notesBench.setup(count, extra),
      [NOTES, RUNS + WARMUP] as const,
    );
    const results: Record<string, ReturnType<typeof summarize>> = {};
    const cdp = args.profile ? await context.newCDPSession(page) : null;
    for (const scenario of ['remote', 'own'] as const) {
      const samples: Sample[] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        if (cdp && scenario === 'remote' && i === WARMUP) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
          await cdp.send('Profiler.start');
        }
        const sample = await page.evaluate(
          ([name, at]) =>
            (globalThis as unknown as { notesBench: Record<string, (i: number) => Promise<Sample>> })
              .notesBench[name]!(at),
          [scenario, i] as const,
        );
        if (i >= WARMUP) samples.push(sample);
      }
      if (cdp && scenario === 'remote') {
        const { profile } = await cdp.send('Profiler.stop');
        writeFileSync(args.profile, JSON.stringify(profile));
      }
      results[scenario] = summarize(samples);
    }
    const report = {
      page: args.page,
      notes: NOTES,
      runs: RUNS,
      viewport: `${args.width}x${args.height}`,
      chromium: browser.version(),
      setup,
      results,
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const out: string[] = [
        `${args.page}: ${JSON.stringify(setup)}, ${NOTES} notes, ${RUNS} runs, Chromium ${browser.version()}`,
        'scenario  figure    median ms  p95 ms  max ms',
      ];
      for (const [name, result] of Object.entries(results)) {
        for (const figure of ['total', 'sync', 'deferred'] as const) {
          const s = result[figure] as { median: number; p95: number; max: number };
          out.push(
            `${name.padEnd(9)} ${figure.padEnd(9)} ${String(s.median).padStart(9)} ${String(s.p95).padStart(7)} ${String(s.max).padStart(7)}`,
          );
        }
      }
      process.stdout.write(`${out.join('\n')}\n`);
    }
  } finally {
    await browser.close();
    await pages.close();
  }
}

function summarize(samples: Sample[]) {
  return {
    samples: samples.map((s) => Math.round((s.sync + s.deferred) * 100) / 100),
    total: stats(samples.map((s) => s.sync + s.deferred)),
    sync: stats(samples.map((s) => s.sync)),
    deferred: stats(samples.map((s) => s.deferred)),
  };
}

await main();
