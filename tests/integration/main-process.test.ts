// server/main.ts as a real child process: the listening line, /healthz, clean exit on SIGTERM.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { DB_FILE } from '../../server/store/sqlite-store.js';

const ROOT = join(import.meta.dirname, '..', '..');
type Child = ChildProcessByStdio<null, Readable, Readable>;

const dirs: string[] = [];
const children: Child[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function start(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
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
});

it('exits 1 with a clear message on a bad environment', async () => {
  const child = start({ PORT: 'eighty' });
  const stderr = collect(child.stderr);
  expect(await exited(child)).toBe(1);
  expect(stderr.value).toMatch(/invalid environment: PORT/);
});
