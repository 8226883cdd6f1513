// Guards the anchoring benchmark's target in CI on a few real pages: the real describe and
// anchor, source.html -> expected.html, zero wrong and at least 98% of eligible re-attached.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as anchoring from '../../../extension/content/anchoring/index.js';
import { benchPage, totals, type AnchoringApi } from '../../../bench/anchoring/core.js';

const PAGES = ['ars-1', 'bbc-1', 'medium-1'];
const FIXTURES = join(import.meta.dirname, '../../fixtures/real-pages');
const api: AnchoringApi<Node, Range, anchoring.TextIndex> = anchoring;

describe('anchoring on real pages', () => {
  it(
    're-attaches quotes from source.html in expected.html, never to wrong words',
    { timeout: 30_000 },
    async () => {
      const results = [];
      for (const page of PAGES) results.push(await benchPage(join(FIXTURES, page), api, { quotes: 60 }));
      const total = totals(results);
      expect(results.map((r) => [r.page, r.failures])).toEqual(PAGES.map((page) => [page, []]));
      expect(total.wrong).toBe(0);
      expect(total.eligible).toBeGreaterThan(100);
      expect(total.reattached / total.eligible).toBeGreaterThanOrEqual(0.98);
      // Text that is gone is an orphan here; it must have been counted, not silently skipped.
      expect(results.find((r) => r.page === 'bbc-1')?.gone).toBeGreaterThan(0);
    },
  );
});
