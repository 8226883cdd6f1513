/**
 * Mozilla's own linter (addons-linter, through `web-ext lint`) on the Firefox build in
 * dist-firefox/ (`npm run build:firefox`, run by `npm test` before the tests): no errors.
 * Warnings are printed, so a new one shows up in the test output.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GECKO_ID } from '../../scripts/firefox-manifest.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST_FIREFOX = resolve(ROOT, 'dist-firefox');
const WEB_EXT = resolve(ROOT, 'node_modules/.bin/web-ext');

interface Finding {
  code: string;
  message: string;
  description?: string;
  file?: string;
}
interface LintReport {
  summary: { errors: number; warnings: number; notices: number };
  errors: Finding[];
  warnings: Finding[];
}

/** web-ext exits non-zero when it finds errors; the JSON report is on stdout either way. */
async function lint(dir: string): Promise<LintReport> {
  const run = promisify(execFile)(WEB_EXT, ['lint', '--source-dir', dir, '--output', 'json'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const stdout = await run.then(
    (done) => done.stdout,
    (failed: { stdout?: string }) => failed.stdout ?? '',
  );
  return JSON.parse(stdout) as LintReport;
}

const describeFinding = (f: Finding) => `${f.code} ${f.file ?? ''}: ${f.message} ${f.description ?? ''}`;

describe('the Firefox build', () => {
  it('is in dist-firefox/ with a background script, the add-on id and both locales', () => {
    expect(existsSync(resolve(DIST_FIREFOX, 'manifest.json')), 'run `npm run build:firefox` first').toBe(
      true,
    );
    const manifest = JSON.parse(readFileSync(resolve(DIST_FIREFOX, 'manifest.json'), 'utf8')) as {
      background: { scripts?: string[]; service_worker?: string };
      browser_specific_settings: { gecko: { id: string } };
    };
    expect(manifest.background.service_worker).toBeUndefined();
    expect(existsSync(resolve(DIST_FIREFOX, manifest.background.scripts![0]!))).toBe(true);
    expect(manifest.browser_specific_settings.gecko.id).toBe(GECKO_ID);
    for (const lang of ['en', 'ko'])
      expect(existsSync(resolve(DIST_FIREFOX, `_locales/${lang}/messages.json`)), lang).toBe(true);
  });

  it('passes web-ext lint with no errors', async () => {
    const report = await lint(DIST_FIREFOX);
    for (const warning of report.warnings) console.warn(`web-ext lint warning: ${describeFinding(warning)}`);
    expect(report.errors.map(describeFinding)).toEqual([]);
    expect(report.summary.errors).toBe(0);
  });
});
