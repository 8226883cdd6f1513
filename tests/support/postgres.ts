/**
 * A real PostgreSQL for tests: one throwaway cluster per test run, made with
 * Debian's `postgresql` binaries (initdb + pg_ctl) in a temporary directory on a free port,
 * and one database per test file. Never skipped: without the binaries the run fails and
 * says how to install them (CI installs them in .ci/run).
 *
 * initdb refuses to run as root, so as root every cluster command runs as the `postgres`
 * user (runuser) on a directory that user owns.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/** Where Debian puts the server binaries; PG_BIN overrides. */
function binDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions
    .map((version) => join(root, version, 'bin'))
    .find((dir) => existsSync(join(dir, 'initdb')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries not found (tests need them): sudo apt-get install -y postgresql, or set PG_BIN',
    );
  }
  return found;
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a cluster command, as `postgres` when we are root. */
function pgCommand(bin: string, args: string[]): void {
  const [command, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(
      `${[command, ...argv].join(' ')} failed: ${result.stderr || result.stdout || result.error}`,
    );
  }
}

export interface PgCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the superuser on the maintenance database. */
  url: string;
  port: number;
  dir: string;
  /** Starts the server (again), waiting until it accepts connections. */
  start(): void;
  /** Stops the server: `immediate` is a crash as far as clients can tell (the outage tests). */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Freezes every process of the server (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void;
  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void;
  /** Stops the server and deletes the cluster's directory. */
  destroy(): void;
}

/** The postmaster and its children, from the pid file of the data directory. */
function serverPids(data: string): number[] {
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
  return [postmaster, ...children];
}

export interface ClusterOptions {
  /**
   * A directory to keep the cluster in (`npm run start:cluster`): made with initdb on the
   * first run, reused after. Unset: a new temporary directory, with durability off for speed.
   */
  dir?: string;
  /** The port; a free one by default. */
  port?: number;
}

/** Makes (or reopens, with `dir`) and starts a cluster trusting local TCP connections. */
export async function startCluster(options: ClusterOptions = {}): Promise<PgCluster> {
  const bin = binDir();
  const durable = options.dir !== undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'copresence-pg-'));
  mkdirSync(dir, { recursive: true });
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    const reach = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]);
    if (reach.status !== 0) {
      throw new Error(
        `PostgreSQL runs as the postgres user, who cannot reach ${dir} (a parent directory is private): pick a directory it can reach`,
      );
    }
  }
  const data = join(dir, 'data');
  const port = options.port ?? (await freePort());
  if (!existsSync(join(data, 'PG_VERSION'))) {
    pgCommand(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      ...(durable ? [] : ['--no-sync']),
    ]);
  }
  // A test cluster: durability of the test data does not matter, speed does. The store
  // still commits with synchronous_commit on (the server default is kept for it). A kept
  // cluster keeps PostgreSQL's durable defaults.
  const conf = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    ...(durable ? [] : ['fsync = off', 'full_page_writes = off']),
    'max_connections = 300',
    'shared_buffers = 32MB',
  ].join('\n');
  const confFile = join(data, 'postgresql.auto.conf');
  writeFileSync(confFile, conf + '\n');
  if (isRoot()) execFileSync('chown', ['postgres:postgres', confFile]);
  const log = join(dir, 'server.log');
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start() {
      pgCommand(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
    },
    stop(mode = 'fast') {
      pgCommand(join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']);
    },
    freeze() {
      for (const pid of serverPids(data)) process.kill(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of serverPids(data)) process.kill(pid, 'SIGCONT');
    },
    destroy() {
      try {
        cluster.thaw();
      } catch {
        // Not running.
      }
      try {
        cluster.stop('immediate');
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // A kept cluster left running by a killed start:cluster: stop it, or pg_ctl start refuses.
  if (durable && existsSync(join(data, 'postmaster.pid'))) {
    try {
      cluster.stop('fast');
    } catch {
      // A stale pid file of a dead server: pg_ctl start copes with it.
    }
  }
  cluster.start();
  return cluster;
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/' + database;
  return parsed.toString();
}

/** Creates a database with a fresh unique name on the cluster at `url`; answers its URL. */
export async function createDatabase(url: string, prefix = 'test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return withDatabase(url, name);
}

/** Drops the database of `databaseUrl`, closing whatever connections are left on it. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
