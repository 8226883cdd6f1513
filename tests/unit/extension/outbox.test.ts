/**
 * The worker's note outbox with the storage seam faked: written before it is sent,
 * removed on the ack, kept on transient failures, refused ops surfaced and dropped,
 * and a new instance (worker restart) sends what the last one left.
 */
import { describe, expect, it } from 'vitest';
import { Outbox, OUTBOX_KEY, type OutboxHooks, type OutboxOp } from '../../../extension/background/outbox.js';
import type { StorageAreaLike } from '../../../extension/chrome-api.js';
import type { AckError, Result } from '../../../protocol/index.js';

const ROOM = 'public|https://example.com/';

function memoryArea(): StorageAreaLike & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (key) => {
      const k = key as string;
      return data.has(k) ? { [k]: structuredClone(data.get(k)) } : {};
    },
    set: async (items) => {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
  };
}

const op = (opId: string, body = 'a note'): OutboxOp => ({
  kind: 'create',
  opId,
  payload: { room: ROOM, opId, anchor: { selectors: [] }, body },
});

/** Hooks whose send answers from a script; records what was sent, delivered and refused. */
function hooks(storage: ReturnType<typeof memoryArea>, answers: Array<Result<unknown> | null>) {
  const log = {
    sent: [] as string[],
    storedWhenSent: [] as number[],
    delivered: [] as string[],
    refused: [] as AckError[],
  };
  const h: OutboxHooks = {
    send: async (o) => {
      log.sent.push(o.opId);
      log.storedWhenSent.push(((storage.data.get(OUTBOX_KEY) as unknown[]) ?? []).length);
      return answers.length > 0 ? answers.shift()! : null;
    },
    delivered: (o) => void log.delivered.push(o.opId),
    refused: (_o, error) => void log.refused.push(error),
    changed: () => undefined,
  };
  return { h, log };
}

const ok = { ok: true as const, value: { id: 'n1' } };

describe('Outbox', () => {
  it('stores an op before sending it and removes it on the ack', async () => {
    const storage = memoryArea();
    const { h, log } = hooks(storage, [ok]);
    const outbox = new Outbox(storage, h);
    await outbox.add(op('op-00000001'));
    await outbox.flush();
    expect(log.sent).toEqual(['op-00000001']);
    expect(log.storedWhenSent).toEqual([1]);
    expect(log.delivered).toEqual(['op-00000001']);
    expect(storage.data.get(OUTBOX_KEY)).toEqual([]);
  });

  it('keeps ops while there is no connection or a transient failure, in order, and sends them later', async () => {
    const storage = memoryArea();
    const answers: Array<Result<unknown> | null> = [null];
    const { h, log } = hooks(storage, answers);
    const outbox = new Outbox(storage, h);
    await outbox.add(op('op-00000001'));
    await outbox.add(op('op-00000002'));
    await outbox.flush();
    expect(outbox.size).toBe(2);
    answers.push({ ok: false, error: { code: 'unavailable', message: 'timeout' } });
    await outbox.flush();
    expect(outbox.size).toBe(2);
    answers.push(ok, ok);
    await outbox.flush();
    expect(log.delivered).toEqual(['op-00000001', 'op-00000002']);
    expect(outbox.size).toBe(0);
  });

  it('surfaces and drops a refusal that retrying cannot fix, and goes on with the next op', async () => {
    const storage = memoryArea();
    const conflict = { code: 'conflict' as const, message: 'stale' };
    const { h, log } = hooks(storage, [null]);
    const outbox = new Outbox(storage, h);
    await outbox.add(op('op-00000001'));
    await outbox.add(op('op-00000002'));
    const { h: h2, log: log2 } = hooks(storage, [{ ok: false, error: conflict }, ok]);
    // A new instance over the same storage: what a restarted worker does.
    const restarted = new Outbox(storage, h2);
    await restarted.loaded();
    expect(restarted.size).toBe(2);
    await restarted.flush();
    expect(log2.refused).toEqual([conflict]);
    expect(log2.delivered).toEqual(['op-00000002']);
    expect(storage.data.get(OUTBOX_KEY)).toEqual([]);
    expect(log.delivered).toEqual([]);
  });

  it('drops stored entries it cannot read instead of blocking the rest', async () => {
    const storage = memoryArea();
    storage.data.set(OUTBOX_KEY, [{ kind: 'nonsense' }, op('op-00000003')]);
    const { h, log } = hooks(storage, [ok]);
    const outbox = new Outbox(storage, h);
    await outbox.flush();
    expect(log.sent).toEqual(['op-00000003']);
  });
});
