// server/main.ts as a real child process: the listening line, /healthz, JSON logs on stderr,
// and a graceful SIGTERM that lets in-flight note writes finish and closes the store.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, expect, inject, it } from 'vitest';
import type { Note, NoteAnchor, Result } from '../../protocol/index.js';
import { DB_FILE } from '../../server/store/sqlite-store.js';
import { connectNotes, makeAuth } from '../support/clients.js';
import { allNotes } from '../support/notes-pages.js';
import { createDatabase, dropDatabase } from '../support/postgres.js';

const ROOT = join(import.meta.dirname, '..', '..');
type Child = ChildProcessByStdio<null, Readable, Readable>;

const dirs: string[] = [];
const children: Child[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts server/main.ts; `preload` modules (paths from the repository root) load after tsx. */
function start(env: Record<string, string>, preload: string[] = []): Child {
  const imports = preload.flatMap((path) => ['--import', './' + path]);
  const child = spawn(process.execPath, ['--import', 'tsx', ...imports, 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

const collect = (stream: Readable) => {
  const text = { value: '' };
  stream.on('data', (chunk: Buffer) => (text.value += chunk.toString()));
  return text;
};

function exited(child: Child): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function firstLine(child: Child): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const end = buffered.indexOf('\n');
      if (end >= 0) resolve(buffered.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}

it('prints where it listens, serves /healthz and exits 0 on SIGTERM', async () => {
  const root = mkdtempSync(join(tmpdir(), 'copresence-main-'));
  dirs.push(root);
  // A directory that does not exist yet: the store must create it.
  const dataDir = join(root, 'nested', 'data');
  const child = start({ PORT: '0', DATA_DIR: dataDir });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const line = await firstLine(child);
  const match = /^copresence server listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
  expect(match, line).not.toBeNull();
  expect(Number(match?.[2])).toBeGreaterThan(0);
  expect(existsSync(join(dataDir, DB_FILE))).toBe(true);

  const res = await fetch(`${match?.[1]}/healthz`);
  expect(res.status).toBe(200);

  const exit = exited(child);
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
  expect(stdout.value).toBe(line + '\n');
  // LOG_LEVEL=silent: not even the shutdown line.
  expect(stderr.value).toBe('');
});

it('exits 1 with a clear message on a bad environment', async () => {
  const child = start({ PORT: 'eighty' });
  const stderr = collect(child.stderr);
  expect(await exited(child)).toBe(1);
  expect(stderr.value).toMatch(/invalid environment: PORT/);
});

const ROOM = 'public|https://example.com/sigterm';
const ANCHOR: NoteAnchor = { selectors: [{ type: 'TextQuoteSelector', exact: 'term words' }] };

/** The server's URL, from its listening line. */
async function urlOf(child: Child): Promise<string> {
  const match = /listening on (\S+)$/.exec(await firstLine(child));
  if (!match) throw new Error('no listening line');
  return match[1]!;
}

it('on SIGTERM mid-stream answers every note:create already sent, closes the store, exits 0 and loses no acked note', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'copresence-term-'));
  dirs.push(dataDir);
  // A slow disk (tests/support/slow-store.ts), so writes are inside the store when SIGTERM lands.
  const first = start(
    { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', RATE_LIMIT_SCALE: '100', SLOW_STORE_MS: '25' },
    ['tests/support/slow-store.ts'],
  );
  const stderr = collect(first.stderr);
  const writer = await connectNotes(await urlOf(first));
  await writer.timeout(3000).emitWithAck('notes:subscribe', { room: ROOM });

  type Answer = Result<Note> | 'no answer';
  const answers = new Map<string, Answer>();
  const sentBeforeSignal: string[] = [];
  const gone = new Promise<Answer>((resolve) => writer.once('disconnect', () => resolve('no answer')));
  const exit = exited(first);
  const SIGNAL_AFTER = 40;
  let sent = 0;
  let signalled = false;
  const acked = () => [...answers.values()].filter((a) => a !== 'no answer' && a.ok).length;
  // Each lane keeps one create in flight and stops at the first answer that is not ok.
  const lane = async () => {
    for (;;) {
      const opId = `term-op-${sent++}`;
      if (!signalled) sentBeforeSignal.push(opId);
      const payload = { room: ROOM, opId, anchor: ANCHOR, body: `term ${opId}` };
      const answer = await Promise.race([
        new Promise<Answer>((resolve) => writer.emit('note:create', payload, resolve)),
        gone,
      ]);
      answers.set(opId, answer);
      if (answer === 'no answer' || !answer.ok) return;
      if (!signalled && acked() >= SIGNAL_AFTER) {
        signalled = true;
        first.kill('SIGTERM');
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, lane));
  expect(await exit).toBe(0);
  writer.close();

  // Whatever was sent before the signal was either finished and acked, or refused as
  // unavailable; nothing was cut off by the exit or failed on a closed store.
  const codes = sentBeforeSignal.map((opId) => {
    const answer = answers.get(opId);
    return answer === undefined || answer === 'no answer'
      ? 'no answer'
      : answer.ok
        ? 'ok'
        : answer.error.code;
  });
  expect(codes.filter((code) => code !== 'ok' && code !== 'unavailable')).toEqual([]);
  // The store was closed: SQLite checkpointed the WAL and removed it.
  expect(existsSync(join(dataDir, DB_FILE + '-wal'))).toBe(false);
  // Structured logs: one JSON object per line, the shutdown among them.
  const logs = stderr.value
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { level: number; msg: string; signal?: string });
  expect(logs).toContainEqual(
    expect.objectContaining({ level: 30, msg: 'shutting down', signal: 'SIGTERM' }),
  );

  const second = start({ PORT: '0', DATA_DIR: dataDir });
  const reader = await connectNotes(await urlOf(second));
  const byId = new Map((await allNotes(reader, ROOM)).map((note) => [note.id, note]));
  const ackedNotes = [...answers.values()].flatMap((a) => (a !== 'no answer' && a.ok ? [a.value] : []));
  expect(ackedNotes.length).toBeGreaterThanOrEqual(SIGNAL_AFTER);
  for (const note of ackedNotes) expect(byId.get(note.id)).toEqual(note);
  reader.close();
  const secondExit = exited(second);
  second.kill('SIGTERM');
  expect(await secondExit).toBe(0);
});

it('starts two nodes at once on one empty PostgreSQL database (DATABASE_URL): both migrate, serve and share the notes', async () => {
  const url = await createDatabase(inject('pgUrl'), 'nodes');
  const dataDir = mkdtempSync(join(tmpdir(), 'copresence-unused-'));
  dirs.push(dataDir);
  try {
    const env = { PORT: '0', DATA_DIR: dataDir, DATABASE_URL: url, LOG_LEVEL: 'info' };
    const nodes = [start(env), start(env)];
    const logs = nodes.map((node) => collect(node.stderr));
    const [urlA, urlB] = await Promise.all(nodes.map(urlOf));
    for (const nodeUrl of [urlA!, urlB!]) expect((await fetch(`${nodeUrl}/healthz`)).status).toBe(200);
    for (const log of logs) expect(log.value).toMatch(/"store":"postgres"/);
    // Nothing was written under DATA_DIR.
    expect(existsSync(join(dataDir, DB_FILE))).toBe(false);

    // One person on both nodes: the same peer id (one key for the cluster), one note per opId.
    const auth = makeAuth();
    const [onA, onB] = await Promise.all([connectNotes(urlA!, auth), connectNotes(urlB!, auth)]);
    try {
      await onA.timeout(3000).emitWithAck('notes:subscribe', { room: ROOM });
      await onB.timeout(3000).emitWithAck('notes:subscribe', { room: ROOM });
      const payload = { room: ROOM, opId: 'op-two-nodes-1', anchor: ANCHOR, body: 'written once' };
      const [fromA, fromB] = (await Promise.all([
        onA.timeout(3000).emitWithAck('note:create', payload),
        onB.timeout(3000).emitWithAck('note:create', payload),
      ])) as Array<Result<Note>>;
      expect(fromA).toEqual(fromB);
      expect(fromA).toMatchObject({ ok: true, value: { body: 'written once' } });
      expect(await allNotes(onB, ROOM)).toEqual([(fromA as { value: Note }).value]);
    } finally {
      onA.close();
      onB.close();
    }
    const exits = nodes.map(exited);
    for (const node of nodes) node.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
  } finally {
    await dropDatabase(url);
  }
});
