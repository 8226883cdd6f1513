/**
 * The seam between the per-socket guard, which takes one token per event before a handler
 * runs (socket-guard.ts), and a handler whose one event does the work of many: `notes:import`
 * pays one `notes` token per note it stores (issue 10). The guard attaches each socket's
 * budget here; handlers look it up. Kept apart from limits.ts so how the buckets are keyed
 * (socket, clientId, address) can change without touching the handlers.
 */
import type { BucketName } from './limits.js';

/** What a handler may do with the token buckets of the socket it serves. */
export interface Budget {
  /** Takes one token from the named bucket; false (taking nothing) when it is empty. */
  take(name: BucketName): boolean;
  /** Milliseconds until the named bucket holds `tokens` tokens (its size at most); 0 when it does. */
  msUntil(name: BucketName, tokens: number): number;
}

// Weak, so a closed socket's budget goes with it.
const budgets = new WeakMap<object, Budget>();

/** Called by the guard for every socket it guards. */
export function attachBudget(socket: object, budget: Budget): void {
  budgets.set(socket, budget);
}

/** The budget of a guarded socket; undefined for one the guard never saw (no limits then). */
export function budgetOf(socket: object): Budget | undefined {
  return budgets.get(socket);
}
