// The worker's keep-alive on long-polling (issue 15): an extension API call every 20 s while
// the connection is on polling, none on WebSocket or once stopped (fake timers; storage is
// the browser seam).
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { POLLING_KEEP_ALIVE_MS, PollingKeepAlive } from '../../../extension/background/polling-keep-alive.js';
import type { TransportName } from '../../../extension/background/transport-upgrade.js';

let reads: number;
let transport: TransportName | null;
const storage = {
  get: () => {
    reads += 1;
    return Promise.resolve({});
  },
  set: () => Promise.resolve(),
};

beforeEach(() => {
  vi.useFakeTimers();
  reads = 0;
  transport = 'websocket';
});
afterEach(() => vi.useRealTimers());

it('calls an extension API within every 30 s idle window while on polling, and only then', () => {
  const keepAlive = new PollingKeepAlive(storage, () => transport);
  keepAlive.start();
  keepAlive.start();
  vi.advanceTimersByTime(POLLING_KEEP_ALIVE_MS * 3);
  expect(reads).toBe(0);
  transport = 'polling';
  vi.advanceTimersByTime(POLLING_KEEP_ALIVE_MS * 3);
  expect(reads).toBe(3);
  expect(POLLING_KEEP_ALIVE_MS).toBeLessThan(30_000);
  transport = null;
  vi.advanceTimersByTime(POLLING_KEEP_ALIVE_MS);
  expect(reads).toBe(3);
  transport = 'polling';
  keepAlive.stop();
  vi.advanceTimersByTime(POLLING_KEEP_ALIVE_MS * 2);
  expect(reads).toBe(3);
});
