/**
 * Starting benchmark processes (servers under test and the load generator) pinned to
 * one CPU each with `taskset`, running TypeScript through tsx, with an IPC channel.
 * Without taskset the processes still run, unpinned, and the report says so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

let tasksetChecked: boolean | null = null;

/** Whether `taskset` exists and this machine has at least two CPUs to pin to. */
export function canPin(): boolean {
  if (tasksetChecked === null) {
    const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    tasksetChecked = probe.status === 0;
  }
  return tasksetChecked;
}

export interface SpawnOptions {
  /** CPU to pin to, or null for none. */
  cpu: number | null;
  env?: Record<string, string>;
  /** Extra flags for node, e.g. `--expose-gc`. */
  nodeFlags?: string[];
}

/** Spawns `node --import tsx <script>` with stdout piped, stderr inherited and IPC. */
export function spawnTs(script: URL, options: SpawnOptions): ChildProcess {
  const node = [process.execPath, ...(options.nodeFlags ?? []), '--import', 'tsx', fileURLToPath(script)];
  const [command, ...args] =
    options.cpu !== null && canPin() ? ['taskset', '-c', String(options.cpu), ...node] : node;
  return spawn(command as string, args, {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects when the child exits first. */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) {
      reject(new Error('child has no stdout'));
      return;
    }
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(
      () => fail(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onExit = (code: number | null) =>
      fail(new Error(`child exited with ${code} before printing ${pattern}`));
    function fail(error: Error) {
      clearTimeout(timer);
      lines.close();
      child.off('exit', onExit);
      reject(error);
    }
    child.once('exit', onExit);
    lines.on('line', (line) => {
      const match = pattern.exec(line);
      if (!match) {
        process.stderr.write(`  [child] ${line}\n`);
        return;
      }
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep draining stdout so a chatty child never blocks on a full pipe.
      lines.removeAllListeners('line');
      lines.on('line', (rest) => process.stderr.write(`  [child] ${rest}\n`));
      resolve(match);
    });
  });
}

/** Resolves when the child has exited; kills it after `graceMs`. */
export function waitForExit(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
