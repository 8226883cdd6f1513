/**
 * A real nginx in front of the nodes, for the multi-node tests and `npm run start:cluster`:
 * the shipped deploy/nginx.conf with its listen port, node addresses and file paths
 * replaced, run in the foreground (`daemon off`) from its own directory. So what the
 * tests prove is the configuration people deploy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.js';
import { collectOutput, hasExited, stopChild, waitForPort } from './processes.js';

export const NGINX_CONF = resolve(import.meta.dirname, '..', '..', 'deploy', 'nginx.conf');

function binary(): string {
  if (process.env.NGINX) return process.env.NGINX;
  const found = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
  if (found) return found;
  const probe = spawnSync('nginx', ['-v']);
  if (probe.status === 0) return 'nginx';
  throw new Error(
    'nginx not found (the multi-node tests need it): sudo apt-get install -y nginx, or set NGINX',
  );
}

/** Debian's worker user where it exists (Fedora has `nginx`), else `nobody`. */
function workerUser(): string {
  return ['www-data', 'nginx'].find((name) => spawnSync('id', ['-u', name]).status === 0) ?? 'nobody';
}

export interface NginxConfOptions {
  /** Port nginx listens on, on 127.0.0.1. */
  port: number;
  /** Ports of the nodes on 127.0.0.1, in upstream order. */
  upstreams: number[];
  /** Directory for the pid file, logs and temporary files. */
  dir: string;
  /** Worker processes; 1 makes round-robin alternate exactly (tests). */
  workers?: number | 'auto';
}

/** Replaces `pattern` in `text`, failing loudly when the shipped file no longer has it. */
function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`deploy/nginx.conf has no line matching ${pattern}`);
  return text.replace(pattern, replacement);
}

/** deploy/nginx.conf, adapted to run unprivileged (or as root) from `options.dir`. */
export function renderNginxConf(template: string, options: NginxConfOptions): string {
  const { dir } = options;
  let conf = template;
  // Workers need a user only when the master runs as root; it is ignored (with a warning) otherwise.
  conf = replaceOnce(
    conf,
    /^user .*$/m,
    process.getuid?.() === 0 ? `user ${workerUser()};` : '# user: not root, workers run as the caller',
  );
  conf = replaceOnce(conf, /^worker_processes .*;$/m, `worker_processes ${options.workers ?? 1};`);
  // Raising the descriptor limit needs privileges the tests may not have; the default does.
  conf = replaceOnce(conf, /^worker_rlimit_nofile .*;$/m, '');
  conf = replaceOnce(conf, /^pid .*;$/m, `pid ${join(dir, 'nginx.pid')};`);
  conf = replaceOnce(conf, /^error_log .*;$/m, `error_log ${join(dir, 'error.log')} warn;`);
  conf = replaceOnce(
    conf,
    /^http \{$/m,
    [
      'http {',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
        (kind) => `    ${kind}_temp_path ${join(dir, kind)};`,
      ),
    ].join('\n'),
  );
  // Every upstream block (round-robin, and hashed for long-polling) lists the same nodes.
  const upstream =
    /(upstream copresence\S* \{\n(?:\s*(?:#|hash ).*\n)*)((?:\s*#.*\n|\s*server \S+.*;\n)+)(\s*\})/g;
  const blocks = [...conf.matchAll(upstream)];
  if (blocks.length === 0)
    throw new Error('deploy/nginx.conf has no `upstream copresence` block of server lines');
  conf = conf.replace(upstream, (_, head: string, lines: string, tail: string) => {
    const params = /server \S+ (.*);/.exec(lines)?.[1] ?? '';
    const servers = options.upstreams.map((port) => `        server 127.0.0.1:${port} ${params};\n`).join('');
    return `${head}${servers}${tail}`;
  });
  conf = replaceOnce(conf, /^(\s*)listen 8080;$/m, `$1listen 127.0.0.1:${options.port};`);
  return conf;
}

export interface Nginx {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dir: string;
  pid: number;
  /** The generated configuration it runs. */
  conf: string;
  /** Stops it (SIGQUIT: graceful) and deletes its directory (unless given). */
  stop(): Promise<void>;
}

export interface NginxOptions {
  upstreams: number[];
  port?: number;
  dir?: string;
  workers?: number | 'auto';
}

export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const bin = binary();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'copresence-nginx-'));
  mkdirSync(dir, { recursive: true });
  // Workers run as an unprivileged user when we are root: they must reach the temporary directories.
  chmodSync(dir, 0o755);
  const port = options.port ?? (await freePort());
  const conf = renderNginxConf(readFileSync(NGINX_CONF, 'utf8'), {
    port,
    upstreams: options.upstreams,
    dir,
    workers: options.workers,
  });
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  // -e: errors before the configuration is read go here too, not to /var/log/nginx.
  const child: ChildProcess = spawn(
    bin,
    ['-p', dir, '-c', confFile, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = collectOutput(child.stdout, child.stderr);
  const failed = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`nginx exited (${code}): ${output.text}`))),
  );
  failed.catch(() => undefined);
  try {
    await Promise.race([waitForPort(port), failed]);
  } catch (error) {
    child.kill('SIGKILL');
    const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
    throw new Error(`nginx did not start: ${(error as Error).message}\n${log}`, { cause: error });
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    pid: child.pid ?? -1,
    conf,
    stop: async () => {
      if (!hasExited(child)) await stopChild(child, 'SIGQUIT');
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
