// Per-key token buckets and per-address allowances: refill, debt from big charges, and
// state that is forgotten once full again (bounded memory).
import { describe, expect, it } from 'vitest';
import { AddressAllowance, Budgets, HOUR_MS, KeyedBuckets } from '../../../server/budgets.js';

describe('KeyedBuckets', () => {
  it('lets a charge bigger than the bucket pass on a full bucket only, and leaves it in debt', () => {
    // notes: 10/s, burst 30.
    const buckets = new KeyedBuckets(1);
    expect(buckets.take('k', 'notes', 0, 1)).toBe(true);
    expect(buckets.take('k', 'notes', 0, 50)).toBe(false);
    // Full again after 0.1 s: 50 pass, leaving the bucket at -20.
    expect(buckets.take('k', 'notes', 100, 50)).toBe(true);
    // The debt is refilled at 10/s: one token again only after 2.1 s.
    expect(buckets.take('k', 'notes', 2_000)).toBe(false);
    expect(buckets.take('k', 'notes', 2_200)).toBe(true);
  });

  it('forgets keys whose buckets are all full again, so idle keys cost nothing', () => {
    const buckets = new KeyedBuckets(1);
    for (let i = 0; i < 1000; i++) buckets.take(`k${i}`, 'joins', 0);
    expect(buckets.size).toBe(1000);
    // joins refill 10/s: one token is back within 0.1 s, the sweep runs every 10 s.
    buckets.take('late', 'moves', 10_000);
    expect(buckets.size).toBe(1);
  });
});

describe('Budgets', () => {
  it('pays a request from the clientId and the address, or from neither', () => {
    // Address buckets twice a clientId's: joins burst 100 per clientId, 200 per address.
    const budgets = new Budgets(1, 2);
    let passed = 0;
    for (const client of ['a', 'b', 'c']) {
      while (budgets.take(client, 'addr', 'joins', 1, 0)) passed++;
    }
    expect(passed).toBe(200);
    // Client c got 0 before the address ran dry; it was not charged for the refusals.
    expect(budgets.byClient.take('c', 'joins', 0)).toBe(true);
  });
});

describe('AddressAllowance', () => {
  it('gives burst at once, then burst per period, per address; refunds; forgets full addresses', () => {
    const allowance = new AddressAllowance(3, HOUR_MS);
    const at = 1_000_000;
    expect([1, 2, 3, 4].map(() => allowance.take('a', at))).toEqual([true, true, true, false]);
    expect(allowance.take('b', at)).toBe(true);
    allowance.refund('a', at);
    expect(allowance.take('a', at)).toBe(true);
    expect(allowance.take('a', at)).toBe(false);
    // A third of the period gives one back.
    expect(allowance.take('a', at + HOUR_MS / 3 + 1)).toBe(true);
    // b has refilled to full by then and was forgotten by that take's sweep; a was not.
    expect(allowance.size).toBe(1);
    // An hour later a is full again too, and forgotten.
    allowance.take('c', at + 2 * HOUR_MS);
    expect(allowance.size).toBe(1);
  });
});
