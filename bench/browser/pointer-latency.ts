/**
 * `npm run bench:browser`: the browser path of a cursor, from pointer to remote overlay. Two real Chromium profiles
 * with the built extension (dist/, so run `npm run build` first) are users A and B on
 * one local page, sharing through a real server in this process. The tool moves A's
 * pointer with page.mouse.move and measures, in the pages' main worlds, the time from
 * A's `pointermove` to the frame in which B's overlay draws the remote cursor there
 * (definitions in ./latency-analysis.ts). Two patterns:
 *
 * - discrete: `--moves` jumps to distinct spots, `--gap-ms` apart (longer than the worst
 *   latency, so each move is measured on its own);
 * - drag: `--sweeps` sweeps of `--sweep-moves` moves at 60 Hz, alternately left to right
 *   and back, with a pause in between.
 *
 *   npm run bench:browser                       3 runs, table on stderr, JSON to --out
 *   npm run bench:browser -- --runs 1 --moves 100 --json
 *   --out bench/results/browser-latest.json     where the JSON goes ('' for nowhere)
 *   --label before                              a name for this build in the JSON
 *   --polling b                                 B (or a) reaches the server through a proxy that
 *                                               refuses WebSocket: long-polling (issue 15)
 *   --rtt-ms 50                                 that proxy adds this round trip to each request
 *
 * Besides latency it counts the cursor frames the server sent B during the drags
 * (updates/s) and, on polling, the polls that carried them.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { DIST, launchUser, type BrowserUser } from '../../tests/e2e/support/browser-user.js';
import { startCollabServer, type CollabServer } from '../../tests/e2e/support/collab-server.js';
import { shareWithPopup } from '../../tests/e2e/support/sharing.js';
import { serveDirectory } from '../../tests/e2e/support/static-server.js';
import { startUpgradeProxy } from '../../tests/support/upgrade-proxy.js';
import { analyzeDiscrete, analyzeDrag, summarize, type Summary, type Sweep } from './latency-analysis.js';
import { drawnAt, installDrawProbe, installMoveProbe, takeStamps, type Stamp } from './page-probes.js';
import { prng as random } from '../support/prng.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    moves: { type: 'string', default: '300' },
    'gap-ms': { type: 'string', default: '300' },
    sweeps: { type: 'string', default: '8' },
    'sweep-moves': { type: 'string', default: '80' },
    out: { type: 'string', default: 'bench/results/browser-latest.json' },
    label: { type: 'string', default: '' },
    polling: { type: 'string', default: 'none' },
    'rtt-ms': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    /** Also keep every stamp (A's moves, B's draws) in the JSON, for a closer look. */
    raw: { type: 'boolean', default: false },
  },
});

const RUNS = Number(args.runs);
const MOVES = Number(args.moves);
const GAP_MS = Number(args['gap-ms']);
const SWEEPS = Number(args.sweeps);
const SWEEP_MOVES = Number(args['sweep-moves']);
const VIEWPORT = { width: 1280, height: 800 };
/** Where moves may land: away from the edges, where the overlay clamps the arrow and label. */
const AREA = { left: 60, top: 60, right: 1100, bottom: 700 };
const DRAG_HZ = 60;
const POLLING = args.polling as 'none' | 'a' | 'b';
if (!['none', 'a', 'b'].includes(POLLING)) throw new Error('--polling takes none, a or b');
const RTT_MS = Number(args['rtt-ms']);
const SWEEP_PAUSE_MS = 400;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, Math.max(0, ms)));
const now = () => performance.timeOrigin + performance.now();

/** Distinct spots, each at least 80 px from the one before. */
function spots(count: number, seed: number): Array<{ x: number; y: number }> {
  const next = random(seed);
  const list: Array<{ x: number; y: number }> = [];
  while (list.length < count) {
    const spot = {
      x: Math.round(AREA.left + next() * (AREA.right - AREA.left)),
      y: Math.round(AREA.top + next() * (AREA.bottom - AREA.top)),
    };
    const last = list[list.length - 1];
    if (!last || Math.hypot(spot.x - last.x, spot.y - last.y) >= 80) list.push(spot);
  }
  return list;
}

/**
 * Page clock minus this process's clock, from the evaluate round trip with the least
 * delay. Both pages' offsets near 0 and near each other mean their stamps compare.
 */
async function clockOffset(page: Page): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 15; i += 1) {
    const before = now();
    const pageTime = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = now();
    if (after - before < best.rtt) best = { rtt: after - before, offset: pageTime - (before + after) / 2 };
  }
  return Math.round(best.offset * 100) / 100;
}

/** Waits until B draws A's cursor at (x, y), so a pattern starts from rest. */
async function settle(a: Page, b: Page, x: number, y: number): Promise<void> {
  await a.mouse.move(x, y);
  await b.waitForFunction(drawnAt, [x, y] as [number, number], { timeout: 10_000 });
  await sleep(200);
}

async function runDiscrete(a: Page, b: Page, seed: number) {
  const list = spots(MOVES + 1, seed);
  const startSpot = list.shift() as { x: number; y: number };
  await settle(a, b, startSpot.x, startSpot.y);
  await take(a, 'moves');
  await take(b, 'draws');
  for (const spot of list) {
    await a.mouse.move(spot.x, spot.y);
    await sleep(GAP_MS);
  }
  const moves = dedupe(await take(a, 'moves'));
  const draws = await take(b, 'draws');
  const result = analyzeDiscrete(moves, draws);
  return {
    moves: moves.length,
    lost: result.lost,
    start: summarize(result.start),
    arrival: summarize(result.arrival),
    raw: result,
    stamps: args.raw ? { moves, draws } : undefined,
  };
}

async function runDrag(a: Page, b: Page) {
  const sweeps: Sweep[] = [];
  const step = Math.floor((AREA.right - AREA.left) / SWEEP_MOVES);
  await settle(a, b, AREA.left, 300);
  await take(a, 'moves');
  await take(b, 'draws');
  const moveStamps: Stamp[][] = [];
  for (let s = 0; s < SWEEPS; s += 1) {
    const direction = s % 2 === 0 ? 1 : -1;
    const y0 = 200 + (s % 4) * 100;
    const begin = now();
    for (let k = 1; k <= SWEEP_MOVES; k += 1) {
      const along = direction === 1 ? k * step : (SWEEP_MOVES - k) * step;
      // A gentle wave, as a hand would draw, while x keeps one direction.
      await a.mouse.move(AREA.left + along, Math.round(y0 + 40 * Math.sin((k / SWEEP_MOVES) * Math.PI * 2)));
      await sleep(begin + (k * 1000) / DRAG_HZ - now());
    }
    moveStamps.push(dedupe(await take(a, 'moves')));
    sweeps.push({ direction, moves: [], draws: [] });
    await sleep(SWEEP_PAUSE_MS);
  }
  const draws = await take(b, 'draws');
  sweeps.forEach((sweep, s) => {
    sweep.moves = moveStamps[s] ?? [];
    const from = sweep.moves[0]?.[0] ?? Infinity;
    const to = moveStamps[s + 1]?.[0]?.[0] ?? Infinity;
    sweep.draws = draws.filter((draw) => draw[0] >= from && draw[0] < to);
  });
  const result = analyzeDrag(sweeps);
  return {
    moves: sweeps.reduce((n, sweep) => n + sweep.moves.length, 0),
    lost: result.lost,
    reach: summarize(result.reach),
    onset: summarize(result.onset),
    raw: result,
  };
}

/**
 * Installs B's draw probe on the overlay's closed shadow root: the DevTools protocol's
 * piercing node walk names the root, `DOM.resolveNode` gives a handle on it in the page's
 * main world, and the probe runs with it as `this` (the page itself cannot reach it).
 */
async function installDrawProbeIn(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result: host } = (await cdp.send('Runtime.evaluate', {
      expression: `new Promise((resolve) => {
        const find = () => document.documentElement.querySelector(':scope > [data-collab-root]');
        if (find()) return resolve(find());
        const observer = new MutationObserver(() => {
          if (find()) { observer.disconnect(); resolve(find()); }
        });
        observer.observe(document.documentElement, { childList: true });
      })`,
      awaitPromise: true,
      timeout: 10_000,
    })) as { result: { objectId?: string } };
    if (!host.objectId) throw new Error('no overlay on the page');
    const { node } = (await cdp.send('DOM.describeNode', {
      objectId: host.objectId,
      depth: 1,
      pierce: true,
    })) as {
      node: { shadowRoots?: Array<{ backendNodeId: number }> };
    };
    const backendNodeId = node.shadowRoots?.[0]?.backendNodeId;
    if (backendNodeId === undefined) throw new Error('the overlay has no shadow root');
    const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId })) as {
      object: { objectId?: string };
    };
    await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      functionDeclaration: installDrawProbe.toString(),
    });
  } finally {
    await cdp.detach();
  }
}

const take = (page: Page, kind: 'moves' | 'draws'): Promise<Stamp[]> => page.evaluate(takeStamps, kind);

/** One stamp per position: a repeated position is the same move seen twice. */
function dedupe(stamps: Stamp[]): Stamp[] {
  return stamps.filter((stamp, i) => {
    const prev = stamps[i - 1];
    return !prev || prev[1] !== stamp[1] || prev[2] !== stamp[2];
  });
}

async function main(): Promise<void> {
  if (!existsSync(resolve(DIST, 'manifest.json')))
    throw new Error('dist/ has no build: run `npm run build` first');
  const startedAt = new Date().toISOString();
  const server = await startCollabServer();
  const proxy = POLLING === 'none' ? null : await startUpgradeProxy(server.url, { rttMs: RTT_MS });
  const urlOf = (user: 'a' | 'b') => (proxy && POLLING === user ? proxy.url : server.url);
  const pages = await serveDirectory(resolve(import.meta.dirname, 'pages'));
  const users: BrowserUser[] = await Promise.all([
    launchUser('bench-a', VIEWPORT),
    launchUser('bench-b', VIEWPORT),
  ]);
  const [alice, bob] = users as [BrowserUser, BrowserUser];
  try {
    const a = await alice.context.newPage();
    const b = await bob.context.newPage();
    await Promise.all([a.goto(`${pages.url}/latency.html`), b.goto(`${pages.url}/latency.html`)]);
    for (const [user, page, name, seat] of [
      [alice, a, 'Alice', 'a'],
      [bob, b, 'Bob', 'b'],
    ] as const) {
      const popup = await shareWithPopup(user, page, urlOf(seat), name);
      await popup.close();
      await page.bringToFront();
    }
    await a.evaluate(installMoveProbe);
    await a.mouse.move(AREA.left, AREA.top);
    await installDrawProbeIn(b);

    const frames = countFrames(server, 'Bob');
    const runs = [];
    const pooled = { start: [] as number[], arrival: [] as number[], reach: [] as number[] };
    for (let run = 0; run < RUNS; run += 1) {
      const load = loadavg()[0] ?? 0;
      const offsets = { a: await clockOffset(a), b: await clockOffset(b) };
      const { raw: discreteRaw, ...discrete } = await runDiscrete(a, b, 1000 + run);
      const before = frames();
      const dragStarted = now();
      const { raw: dragRaw, ...drag } = await runDrag(a, b);
      const after = frames();
      const seconds = (SWEEPS * SWEEP_MOVES) / DRAG_HZ;
      const delivery = {
        /** Cursor frames the server sent B per second of dragging. */
        updatesPerSecond: Math.round(((after.cursor - before.cursor) / seconds) * 10) / 10,
        /** Polls (GETs answered) per second of the whole drag phase, pauses included; 0 on WebSocket. */
        pollsPerSecond: Math.round(((after.polls - before.polls) / ((now() - dragStarted) / 1000)) * 10) / 10,
      };
      pooled.start.push(...discreteRaw.start);
      pooled.arrival.push(...discreteRaw.arrival);
      pooled.reach.push(...dragRaw.reach);
      runs.push({
        run: run + 1,
        loadBefore: Math.round(load * 100) / 100,
        clockOffsetsMs: offsets,
        discrete,
        drag,
        delivery,
      });
      process.stderr.write(
        `run ${run + 1}/${RUNS} (load ${load.toFixed(2)}): ` +
          `discrete start ${fmt(discrete.start)} | arrival ${fmt(discrete.arrival)} | lost ${discrete.lost}; ` +
          `drag reach ${fmt(drag.reach)} | onset p50 ${drag.onset.p50} | lost ${drag.lost}; ` +
          `${delivery.updatesPerSecond} updates/s to B, ${delivery.pollsPerSecond} polls/s\n`,
      );
    }
    const result = {
      version: 1,
      kind: 'browser-pointer-latency',
      label: args.label,
      startedAt,
      command: `npm run bench:browser -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
      config: {
        runs: RUNS,
        moves: MOVES,
        gapMs: GAP_MS,
        sweeps: SWEEPS,
        sweepMoves: SWEEP_MOVES,
        dragHz: DRAG_HZ,
        viewport: VIEWPORT,
        chromium: alice.context.browser()?.version() ?? 'persistent context',
        polling: POLLING,
        rttMs: RTT_MS,
      },
      /** Every sample of every run together. */
      pooled: {
        discrete: { start: summarize(pooled.start), arrival: summarize(pooled.arrival) },
        drag: { reach: summarize(pooled.reach) },
      },
      runs,
    };
    process.stderr.write(
      `all runs: discrete start ${fmt(result.pooled.discrete.start)}; arrival ${fmt(result.pooled.discrete.arrival)}; ` +
        `drag reach ${fmt(result.pooled.drag.reach)}\n`,
    );
    if (args.out) {
      const out = resolve(args.out);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
      process.stderr.write(`wrote ${args.out}\n`);
    }
    if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await Promise.all(users.map((user) => user.close()));
    await pages.close();
    await proxy?.close();
    await server.dispose();
  }
}

/**
 * Counts what the server sends one user's /rooms connection: cursor frames, and the times
 * a long-polling transport answered a GET (Engine.IO's `drain` after each poll answer).
 */
function countFrames(server: CollabServer, name: string): () => { cursor: number; polls: number } {
  const socket = [...server.app()!.io.of('/rooms').sockets.values()].find((s) => s.data.name === name);
  if (!socket) throw new Error(`${name} has no /rooms socket`);
  const counts = { cursor: 0, polls: 0 };
  socket.conn.on('packetCreate', (packet: { data?: unknown }) => {
    if (typeof packet.data === 'string' && /^2\/rooms,\["cursor:(packed|batch)"/.test(packet.data))
      counts.cursor += 1;
  });
  socket.conn.on('drain', () => {
    if (socket.conn.transport.name === 'polling') counts.polls += 1;
  });
  return () => ({ ...counts });
}

function fmt(summary: Summary): string {
  return `p50 ${summary.p50} p99 ${summary.p99} max ${summary.max} ms (n ${summary.samples})`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
