/**
 * Child processes of the multi-node tests (Redis, nginx, server nodes): waiting for the line
 * that says a process is ready, for its exit, and for a TCP port to accept, all bounded.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';

/** `command args`, run on one CPU through taskset when `cpu` is a number (the benchmark pins processes). */
export function onCpu(cpu: number | null | undefined, command: string, args: string[]): [string, string[]] {
  return cpu === null || cpu === undefined
    ? [command, args]
    : ['taskset', ['-c', String(cpu), command, ...args]];
}

/** Everything `streams` print from now on, kept for error messages and assertions. */
export function collectOutput(...streams: (Readable | null)[]): { text: string } {
  const output = { text: '' };
  for (const stream of streams) stream?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  return output;
}

/** Resolves with the first match of `pattern` in what `streams` print; rejects if the child exits first. */
export function waitForOutput(
  child: ChildProcess,
  streams: (Readable | null)[],
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const listeners = streams.map((stream) => {
      const listener = (chunk: Buffer) => {
        seen += chunk.toString();
        const match = pattern.exec(seen);
        if (match) finish(() => resolve(match));
      };
      stream?.on('data', listener);
      return listener;
    });
    const onExit = (code: number | null, signal: string | null) =>
      finish(() => reject(new Error(`exited (${code ?? signal}) before printing ${pattern}:\n${seen}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`nothing matching ${pattern} within ${timeoutMs} ms:\n${seen}`))),
      timeoutMs,
    );
    function finish(settle: () => void) {
      clearTimeout(timer);
      child.off('exit', onExit);
      streams.forEach((stream, i) => stream?.off('data', listeners[i]!));
      settle();
    }
    child.once('exit', onExit);
  });
}

/** Whether the child has exited (or was killed and reaped). */
export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Resolves with the exit code (null when killed by a signal) once the child has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (hasExited(child)) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if it is still there. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5_000,
): Promise<number | null> {
  if (hasExited(child)) return child.exitCode;
  const exit = exited(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exit;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once 127.0.0.1:`port` accepts a TCP connection; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (performance.now() > deadline)
      throw new Error(`nothing accepts on port ${port} after ${timeoutMs} ms`);
    // A process that prints nothing when ready (nginx): ask again shortly.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `/proc/<pid>/stat`: parent and state (R, S, Z...), or null when there is no such process. */
function procStat(pid: number): { ppid: number; state: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: read after its last ')'.
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), state: state as string };
  } catch {
    return null;
  }
}

/** Whether `pid` is a live process (a zombie waiting for its parent is not). */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** Every live process below `pid` (children, their children...), from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const stat = procStat(child);
    if (stat === null || stat.state === 'Z') continue;
    parents.set(stat.ppid, [...(parents.get(stat.ppid) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
