/**
 * Waiting for socket events without sleeping: promises that settle on the event and
 * fail after a bound, plus a recorder for asserting what did (not) arrive.
 */

import type { Socket } from 'socket.io-client';
import type { NotesClient, RoomsClient } from './clients.js';

export type AnyClient = RoomsClient | NotesClient | Socket;

const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Resolves with the first payload of `event` that satisfies `match` (any, by default);
 * rejects after `timeoutMs`, which bounds a failing test and is never a guess at timing.
 */
export function once<T = unknown>(
  client: AnyClient,
  event: string,
  match: (payload: T) => boolean = () => true,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<T> {
  // Event names and payloads are checked by the tests' assertions, not by these helpers.
  const source = client as Socket;
  return new Promise<T>((resolve, reject) => {
    const listener = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      source.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      source.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    source.on(event, listener);
  });
}

/** Records every payload of `event` from now on, in arrival order. */
export function record<T = unknown>(client: AnyClient, event: string): T[] {
  const seen: T[] = [];
  (client as Socket).on(event, (payload: T) => seen.push(payload));
  return seen;
}

/**
 * Polls `check` every 50 ms until it holds and resolves with the milliseconds it took; for
 * states no event announces (a node's view of Redis coming back).
 */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - started;
}
