/**
 * `npm run bench:doc [results.json]`: writes the tables and target verdicts of a saved
 * run (bench/results/latest.json by default) into docs/PERFORMANCE.md, between the
 * generated-block markers of the run's size (quick or full), keeping the hand-written
 * text around them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import type { BenchResult } from './report/figures.js';
import { renderGenerated, spliceGenerated } from './report/performance-doc.js';

const source = process.argv[2] ?? new URL('./results/latest.json', import.meta.url).pathname;
const docPath = new URL('../docs/PERFORMANCE.md', import.meta.url);

const result = JSON.parse(readFileSync(resolve(source), 'utf8')) as BenchResult;
if (result.version !== 1) throw new Error(`${source}: unknown result version ${String(result.version)}`);
const existing = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Performance\n';
const text = spliceGenerated(existing, renderGenerated(result), result.size);
// Formatted like every other file, so `npm run format:check` stays green.
const options = (await prettier.resolveConfig(fileURLToPath(docPath))) ?? {};
writeFileSync(docPath, await prettier.format(text, { ...options, parser: 'markdown' }));
process.stderr.write(`docs/PERFORMANCE.md updated from ${source}\n`);
