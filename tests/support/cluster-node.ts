/**
 * One server node as a real child process (`node --import tsx server/main.ts`), as the
 * multi-node tests and `npm run start:cluster` run it: its own port (fixed, so nginx can be
 * configured before it starts and it can come back on the same address), DATABASE_URL,
 * REDIS_URL and NODE_ID from the caller. Ready once it printed its listening line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.js';
import { collectOutput, exited, hasExited, onCpu, stopChild, waitForOutput } from './processes.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

export interface NodeOptions {
  nodeId: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** A free one by default; kept across restarts. */
  port?: number;
  /** More environment, e.g. `{ PRESENCE_TTL_MS: '1500' }`. */
  env?: Record<string, string>;
  /** Modules (paths from the repository root) loaded after tsx, e.g. tests/support/slow-ack.ts. */
  preload?: string[];
  /** Pins the node to this CPU (taskset), for the benchmark. */
  cpu?: number | null;
  /** Where the node's stdout and stderr go: kept in memory (tests) or inherited (start:cluster). */
  output?: 'collect' | 'inherit';
}

export interface ClusterNode {
  nodeId: string;
  port: number;
  /** `http://127.0.0.1:<port>`: the node itself, not through nginx. */
  url: string;
  /** The running process id; null while down. */
  pid(): number | null;
  /** What the node printed (stdout and JSON logs on stderr) since its last start. */
  output(): string;
  /** Resolves once the node has printed `count` lines matching `pattern` (global) since its start. */
  waitForLines(pattern: RegExp, count: number, timeoutMs?: number): Promise<string[]>;
  /** Starts it (again) on the same port. */
  start(): Promise<void>;
  /** Resolves with the exit code (null after a signal) when the running process ends. */
  exited(): Promise<number | null>;
  /** SIGKILL: the node dies without closing anything; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, a graceful stop; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Kills it if it runs and deletes its scratch directory. */
  dispose(): Promise<void>;
}

export async function startNode(options: NodeOptions): Promise<ClusterNode> {
  const port = options.port ?? (await freePort());
  // SQLite's directory, unused once DATABASE_URL is set, yet never the repository's ./data.
  const dataDir = mkdtempSync(join(tmpdir(), 'copresence-node-'));
  let child: ChildProcess | null = null;
  let output = { text: '' };

  const start = async () => {
    if (child !== null && !hasExited(child)) throw new Error(`node ${options.nodeId} is already running`);
    const inherit = options.output === 'inherit';
    const [command, args] = onCpu(options.cpu, process.execPath, [
      '--import',
      'tsx',
      ...(options.preload ?? []).flatMap((path) => ['--import', './' + path]),
      'server/main.ts',
    ]);
    const started = spawn(command, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        NODE_ID: options.nodeId,
        DATABASE_URL: options.databaseUrl ?? '',
        REDIS_URL: options.redisUrl ?? '',
        LOG_LEVEL: 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', inherit ? 'inherit' : 'pipe'],
    });
    child = started;
    output = collectOutput(started.stdout, started.stderr);
    await waitForOutput(started, [started.stdout], /listening on http:\/\/\S+/, 30_000).catch(
      (error: Error) => {
        started.kill('SIGKILL');
        throw new Error(`node ${options.nodeId} did not start: ${error.message}\n${output.text}`);
      },
    );
  };

  const node: ClusterNode = {
    nodeId: options.nodeId,
    port,
    url: `http://127.0.0.1:${port}`,
    pid: () => (child !== null && !hasExited(child) ? (child.pid ?? null) : null),
    output: () => output.text,
    exited: () => (child === null ? Promise.resolve(null) : exited(child)),
    waitForLines: (pattern, count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const stream = child?.stdout;
        const check = () => {
          const found = output.text.match(pattern) ?? [];
          if (found.length < count) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`node ${options.nodeId}: fewer than ${count} lines matching ${pattern}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          stream?.off('data', onData);
        };
        // After collectOutput's listener (registered first), so output.text holds the chunk.
        const onData = () => check();
        stream?.on('data', onData);
        check();
      }),
    start,
    kill: async () => {
      if (child !== null) await stopChild(child, 'SIGKILL');
    },
    stop: async () => (child === null ? null : stopChild(child, 'SIGTERM')),
    dispose: async () => {
      await node.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return node;
}
