/**
 * A real Redis for the several-node tests: Debian's `redis-server` as a child process on a
 * free port, in its own temporary directory, with persistence off (`--save '' --appendonly
 * no`), so a restart is an empty Redis, as after a crash. Never skipped: without the binary
 * the start fails and says how to get it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>;
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'copresence-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      const started = spawn(BINARY, [...args, '--dir', dir, '--daemonize', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          started.stdout.off('data', onData);
          resolve();
        }
      };
      started.stdout.on('data', onData);
      started.once('error', (error) =>
        reject(new Error(`${BINARY} did not start (apt-get install redis-server): ${error.message}`)),
      );
      started.once('exit', (code) => reject(new Error(`${BINARY} exited with ${code}: ${output}`)));
    });

  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill(signal);
    });
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child?.pid ?? null,
    start,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async destroy() {
      await end('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
