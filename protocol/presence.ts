/**
 * How long presence lasts without news, for both sides. The server drops a membership it
 * has not heard of (join, `presence:update`, cursor) for {@link PRESENCE_TTL_MS} and tells the
 * room the peer left; a client in a room sends a `presence:update` at least every
 * {@link KEEPALIVE_MS}, so only a client that is really gone (crashed, offline, a stopped
 * worker that never came back) reaches the TTL. The TTL is three keep-alives long, so one
 * or two lost keep-alives never make a present user flicker out of the room.
 */

/** The server's default presence time-to-live (`PRESENCE_TTL_MS` in its environment overrides it). */
export const PRESENCE_TTL_MS = 30_000;

/**
 * How often a client refreshes each room it is in. It also keeps traffic flowing, which keeps
 * Chrome from stopping an idle extension worker (it does after 30 s without events), and
 * comes with an extension API call that keeps Firefox from suspending its event page (same 30 s).
 */
export const KEEPALIVE_MS = 10_000;
