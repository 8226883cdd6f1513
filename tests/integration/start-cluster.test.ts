// `npm run start:cluster` as a user runs it: Redis, PostgreSQL, two nodes and nginx come up
// on one public port, a real client gets through nginx, and Ctrl-C (SIGINT) stops every
// process it started, PostgreSQL's included, before it exits 0.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Result, RoomJoined } from '../../protocol/index.js';
import { ask, connectRooms } from '../support/clients.js';
import { freePort } from '../support/free-port.js';
import {
  collectOutput,
  descendants,
  exited,
  isAlive,
  stopChild,
  waitForOutput,
} from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'copresence-start-cluster-'));
// As root, PostgreSQL runs as `postgres`, who must reach its directory inside this one.
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('starts Redis, PostgreSQL, two nodes and nginx on PORT, serves a client through nginx and stops them all on SIGINT', async () => {
  const port = await freePort();
  const script = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-cluster.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), CLUSTER_DIR: dir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(script.stdout, script.stderr);
  let started: number[] = [];
  try {
    const [, url] = await waitForOutput(
      script,
      [script.stdout],
      /cluster listening on (http:\/\/127\.0\.0\.1:\d+)/,
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output.text}`);
    });
    expect(url).toBe(`http://127.0.0.1:${port}`);
    // PostgreSQL detaches from its starter (pg_ctl); find it by its pid file.
    const postmaster = Number(
      readFileSync(join(dir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    started = [...descendants(script.pid as number), postmaster, ...descendants(postmaster)];
    // Redis, two nodes, nginx's master and a worker at least, PostgreSQL and its helpers.
    expect(started.length).toBeGreaterThanOrEqual(8);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const client = await connectRooms(url as string);
    const joined = (await ask(client, 'room:join', {
      page: 'https://example.com/cluster',
    })) as Result<RoomJoined>;
    expect(joined.ok).toBe(true);
    client.close();

    const exit = exited(script);
    script.kill('SIGINT');
    expect(await exit, output.text).toBe(0);
    expect(output.text).toMatch(/cluster stopped/);
    expect(started.filter(isAlive)).toEqual([]);
  } finally {
    await stopChild(script, 'SIGKILL');
    // A failed run must not leave a PostgreSQL behind for the next one.
    for (const pid of started.filter(isAlive)) process.kill(pid, 'SIGKILL');
  }
}, 90_000);
