/**
 * `npm run bench:anchoring -- --pages DIR [--quotes N] [--seed S] [--json] [--verbose]`:
 * runs the anchoring benchmark (core.ts) on every page folder under DIR and prints a
 * table per page and in total, or with `--json` one object
 * `{ pages, eligible, reattached, orphaned, wrong, msPerAnchor }`.
 */
import { parseArgs } from 'node:util';
import { benchPage, findPages, totals, type AnchoringApi, type PageResult } from './core.js';

// Loaded by path so the server tsconfig (no DOM types) need not type the extension
// module; tests/unit/anchoring checks the module against AnchoringApi with DOM types.
const ANCHORING_MODULE = new URL('../../extension/content/anchoring/index.ts', import.meta.url).href;

const { values } = parseArgs({
  options: {
    pages: { type: 'string' },
    quotes: { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

if (!values.pages) {
  process.stderr.write('usage: npm run bench:anchoring -- --pages DIR [--quotes N] [--seed S] [--json]\n');
  process.exit(2);
}

const api = (await import(ANCHORING_MODULE)) as AnchoringApi<unknown, unknown, { text: string }>;
const options = { quotes: Number(values.quotes), seed: Number(values.seed) };
const results: PageResult[] = [];
for (const dir of await findPages(values.pages)) results.push(await benchPage(dir, api, options));
const total = totals(results);

if (values.json) {
  process.stdout.write(`${JSON.stringify(total)}\n`);
} else {
  const pct = (part: number, whole: number): string =>
    whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
  const header = [
    'page',
    'quotes',
    'eligible',
    'reattached',
    'orphaned',
    'wrong',
    'reattached %',
    'text gone: orphaned / attached',
    'ms/anchor',
  ];
  const rows = results.map((r) => [
    r.page,
    r.quotes,
    r.eligible,
    r.reattached,
    r.orphaned,
    r.wrong,
    pct(r.reattached, r.eligible),
    `${r.goneOrphaned} / ${r.goneAttached}`,
    (r.anchorMs / Math.max(1, r.quotes)).toFixed(3),
  ]);
  const sum = (key: keyof PageResult): number => results.reduce((t, r) => t + Number(r[key]), 0);
  rows.push([
    '**total**',
    sum('quotes'),
    total.eligible,
    total.reattached,
    total.orphaned,
    total.wrong,
    pct(total.reattached, total.eligible),
    `${sum('goneOrphaned')} / ${sum('goneAttached')}`,
    total.msPerAnchor.toFixed(3),
  ]);
  const lines = [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.verbose) {
    for (const r of results) {
      for (const f of r.failures) {
        process.stdout.write(
          `${r.page} ${f.kind}: ${JSON.stringify(f.quote)} -> ${JSON.stringify(f.found)}\n`,
        );
      }
    }
  }
}
