// Crash safety: the server as a real child process is killed with SIGKILL while acked
// note:creates stream in; after a restart on the same DATA_DIR every acked note is there, whole.
// In-process: no ack before the store committed, and SQLite in WAL mode with synchronous=FULL
// (which a SIGKILL cannot tell from synchronous=OFF: only a power cut could).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import type { Note, NoteAnchor, Result } from '../../protocol/index.js';
import { DB_FILE } from '../../server/store/sqlite-store.js';
import { ask, connectNotes, makeAuth, type NotesClient } from '../support/clients.js';
import { allNotes } from '../support/notes-pages.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ROOM = 'public|https://example.com/crash';
const ANCHOR: NoteAnchor = {
  selectors: [{ type: 'TextQuoteSelector', exact: 'crash words', prefix: 'a ', suffix: ' b' }],
};
type Child = ChildProcessByStdio<null, Readable, Readable>;

const children: Child[] = [];
const dirs: string[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.dispose();
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts server/main.ts and resolves with its URL from the listening line. */
function start(dataDir: string): Promise<{ child: Child; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_SCALE: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)\n/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

const bodyOf = (i: number) => `note ${i} ` + 'x'.repeat(200 + (i % 50) * 40);

it('keeps every acked note, whole, across a SIGKILL mid-stream', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'copresence-crash-'));
  dirs.push(dataDir);
  const first = await start(dataDir);
  const auth = makeAuth();
  const writer: NotesClient = await connectNotes(first.url, auth);
  await writer.timeout(3000).emitWithAck('notes:subscribe', { room: ROOM });

  const acked = new Map<string, Note>();
  let sent = 0;
  const died = new Promise<void>((resolve) => first.child.once('exit', () => resolve()));
  const gone = new Promise<null>((resolve) => writer.once('disconnect', () => resolve(null)));
  // Keep a window of creates in flight, so the kill lands while some are unacked.
  const WINDOW = 8;
  const KILL_AFTER = 150;
  let killed = false;
  const pump = async () => {
    while (!killed) {
      const i = sent++;
      const opId = `crash-op-${i}`;
      const payload = { room: ROOM, opId, anchor: ANCHOR, body: bodyOf(i) };
      // A create whose ack never comes (the server died) ends with the connection.
      const result = await Promise.race([
        new Promise<Result<Note>>((resolve) => writer.emit('note:create', payload, resolve)),
        gone,
      ]);
      if (result?.ok) acked.set(opId, result.value);
      if (acked.size >= KILL_AFTER && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, pump));
  await died;
  writer.close();

  const second = await start(dataDir);
  const reader = await connectNotes(second.url, makeAuth());
  const stored = await allNotes(reader, ROOM);
  const byId = new Map(stored.map((note) => [note.id, note]));
  for (const note of acked.values()) expect(byId.get(note.id)).toEqual(note);
  // Unacked ones may be missing, but whatever is there is whole.
  for (const note of stored) {
    const i = Number(/^note (\d+) /.exec(note.body)?.[1]);
    expect(note.body).toBe(bodyOf(i));
    expect(note.anchor).toEqual(ANCHOR);
  }
  expect(stored.length).toBeGreaterThanOrEqual(acked.size);
  expect(stored.length).toBeLessThanOrEqual(sent);
  reader.close();
  second.child.kill('SIGTERM');
  process.stderr.write(`crash test: ${sent} sent, ${acked.size} acked, ${stored.length} recovered\n`);
});

/** What another connection to the database file sees: only committed rows. */
function committedBodies(dataDir: string): string[] {
  const db = new Database(join(dataDir, DB_FILE), { readonly: true });
  try {
    return db
      .prepare<[], { body: string }>('SELECT body FROM notes ORDER BY seq')
      .all()
      .map((row) => row.body);
  } finally {
    db.close();
  }
}

it('acks a note:create only once the store has committed it', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered: () => void = () => undefined;
  const inStore = new Promise<void>((resolve) => (entered = resolve));
  const server = await startTestServer({
    wrapStore: (store) =>
      Object.assign(Object.create(store) as typeof store, {
        // A slow disk: the write starts, then waits for the test to let it commit.
        create: async (...args: Parameters<typeof store.create>) => {
          entered();
          await gate;
          return store.create(...args);
        },
      }),
  });
  servers.push(server);
  const writer = await server.notes();
  await ask(writer, 'notes:subscribe', { room: ROOM });
  let answered = false;
  const pending = ask(writer, 'note:create', { room: ROOM, opId: 'op-gated', anchor: ANCHOR, body: 'gated' });
  void pending.then(() => (answered = true));
  await inStore;
  // An ack sent before this request's would arrive before its answer on the same connection.
  await ask(writer, 'notes:subscribe', { room: ROOM });
  expect(answered).toBe(false);
  release();
  expect(((await pending) as Result<Note>).ok).toBe(true);
  // By the time the ack is here, the row is committed, visible to any other connection.
  expect(committedBodies(server.dataDir)).toEqual(['gated']);
});

it('keeps the database in WAL mode with synchronous=FULL', async () => {
  const server = await startTestServer();
  servers.push(server);
  // journal_mode is a property of the file; synchronous one of the store's own connection.
  const db = new Database(join(server.dataDir, DB_FILE), { readonly: true });
  try {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  } finally {
    db.close();
  }
  const own = (server.store as unknown as { db: Database.Database }).db;
  // 2 is FULL (0 OFF, 1 NORMAL, 3 EXTRA).
  expect(own.pragma('synchronous', { simple: true })).toBe(2);
});
