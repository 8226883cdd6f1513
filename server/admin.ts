/**
 * @socket.io/admin-ui on the `/admin` namespace, only when ADMIN_USER and ADMIN_PASSWORD
 * are set, behind our own login check. admin-ui's own basic auth
 * checks each login with bcryptjs on the event loop and without a limit: 200 wrong
 * passwords on one connection blocked every other client for 13 s. Here the password is
 * checked with scrypt in libuv's thread pool, and each address gets {@link adminLogins}
 * attempts (10, then 10 per 10 minutes); one over that is refused without any hashing.
 */
import { instrument } from '@socket.io/admin-ui';
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import type { ExtendedError, Server, Socket } from 'socket.io';
import type { Config } from './config.js';
import { adminLogins } from './budgets.js';
import { socketAddress } from './socket-guard.js';

/** The admin namespace's name. */
export const ADMIN_NAMESPACE = '/admin';

/** scrypt output length; cost N=2^14, r=8 (node's default): about 50 ms in the thread pool. */
const KEY_BYTES = 32;
/** A session (the UI's reconnects skip the password) lasts a day; at most this many at once. */
const SESSION_MS = 86_400_000;
const MAX_SESSIONS = 100;

const hash = (password: string, salt: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** What the hosted UI sends as `auth`: a session id from an earlier login, or the credentials. */
interface AdminAuth {
  sessionId?: unknown;
  username?: unknown;
  password?: unknown;
}

export function mountAdmin(io: Server, admin: Config['admin']): boolean {
  if (admin === null) return false;
  const salt = randomBytes(16);
  // Once at start-up, before any client: the only hash on the event loop.
  const expected = scryptSync(admin.password, salt, KEY_BYTES);
  const user = Buffer.from(admin.user);
  const logins = adminLogins();
  const sessions = new Map<string, number>();

  const login = async (socket: Socket, next: (err?: ExtendedError) => void): Promise<void> => {
    const auth = (socket.handshake.auth ?? {}) as AdminAuth;
    // The credentials are not kept on the open socket (admin-ui shows handshakes).
    socket.handshake.auth = {};
    const now = Date.now();
    if (typeof auth.sessionId === 'string' && (sessions.get(auth.sessionId) ?? 0) > now) return next();
    const address = socketAddress(socket);
    if (!logins.take(address, now)) return next(new Error('too many attempts'));
    const offered = await hash(typeof auth.password === 'string' ? auth.password : '', salt);
    const name = Buffer.from(typeof auth.username === 'string' ? auth.username : '');
    const userOk = name.length === user.length && timingSafeEqual(name, user);
    if (!(timingSafeEqual(offered, expected) && userOk)) return next(new Error('invalid credentials'));
    // A good login does not use up the address's attempts.
    logins.refund(address);
    for (const [id, expires] of sessions)
      if (expires <= now || sessions.size >= MAX_SESSIONS) sessions.delete(id);
    const sessionId = randomBytes(16).toString('hex');
    sessions.set(sessionId, now + SESSION_MS);
    socket.emit('session', sessionId);
    next();
  };

  io.of(ADMIN_NAMESPACE).use((socket, next) => {
    login(socket, next).catch(() => next(new Error('invalid credentials')));
  });
  instrument(io, {
    namespaceName: ADMIN_NAMESPACE,
    // Checked above.
    auth: false,
    // Aggregates only, and no remote disconnects or room changes from the dashboard.
    mode: 'production',
    readonly: true,
  });
  return true;
}
