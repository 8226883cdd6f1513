/**
 * A real Redis for the multi-node tests and `npm run start:cluster`: Debian's `redis-server`
 * as a child process on a free port, in its own directory, with persistence off (`--save ''
 * --appendonly no`): Redis holds nothing durable here, so a restart is an empty Redis, as
 * after a crash. Never skipped: without the binary the start fails and says how to get it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { collectOutput, hasExited, onCpu, stopChild, waitForOutput } from './processes.js';

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  dir: string;
  /** The running server's process id; null while stopped. */
  pid(): number | null;
  /** Starts the server (again) on the same port, empty; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGTERM, as an operator's stop; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, as far as the nodes can tell; resolves once it has exited. */
  kill(): Promise<void>;
  /** Stops it and deletes its directory (unless the directory was given). */
  destroy(): Promise<void>;
}

export interface RedisOptions {
  port?: number;
  /** Pins the server to this CPU (taskset), for the benchmark. */
  cpu?: number | null;
  /** Working directory (kept); a new temporary one by default (deleted by destroy). */
  dir?: string;
}

function checkBinary(): void {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `${BINARY} not found (the multi-node tests need it): sudo apt-get install -y redis-server, or set REDIS_SERVER`,
    );
  }
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  checkBinary();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'copresence-redis-'));
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  let child: ChildProcess | null = null;

  const start = async () => {
    if (child !== null && !hasExited(child)) throw new Error('redis-server is already running');
    const [command, args] = onCpu(options.cpu, BINARY, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--loglevel',
      'notice',
    ]);
    const started = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const output = collectOutput(started.stdout, started.stderr);
    try {
      await waitForOutput(started, [started.stdout, started.stderr], /Ready to accept connections/);
    } catch (error) {
      started.kill('SIGKILL');
      throw new Error(
        `redis-server did not start on port ${port}: ${(error as Error).message}\n${output.text}`,
        { cause: error },
      );
    }
  };

  const halt = async (signal: NodeJS.Signals) => {
    if (child === null || hasExited(child)) return;
    await stopChild(child, signal);
  };

  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => (child !== null && !hasExited(child) ? (child.pid ?? null) : null),
    start,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    destroy: async () => {
      await halt('SIGKILL');
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
  await start();
  return server;
}
