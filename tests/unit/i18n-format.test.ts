/**
 * Counts, numbers, dates and the server's words in the UI language: plural forms (English
 * "1 reply" / "2 replies", Korean one form), the import toast, and server refusals (the
 * server's own English in English, the code's sentence in Korean).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PALETTE } from '../../extension/background/settings.js';
import { importSummary } from '../../extension/content/notes/import-summary.js';
import { colorName } from '../../extension/popup/palette-names.js';
import { repliesText } from '../../extension/content/notes/note-card.js';
import {
  formatDateTime,
  formatNumber,
  plural,
  t,
  textDirection,
  uiLanguage,
  useMessages,
} from '../../extension/shared/i18n.js';
import { serverErrorText, skipReasonText } from '../../extension/shared/server-errors.js';

type Messages = Record<string, { message: string }>;
const read = (lang: string): Messages =>
  JSON.parse(
    readFileSync(new URL(`../../_locales/${lang}/messages.json`, import.meta.url), 'utf8'),
  ) as Messages;

/** What the browser does with our messages: `$1`… replaced by the substitutions. */
function browserLike(lang: string) {
  const messages = read(lang);
  useMessages(
    (key, subs = []) =>
      messages[key]?.message.replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? '') ?? '',
    // The browser's own language: a Korean file chosen for a ko-KR browser.
    `${lang}-XX`,
  );
}

const imported = (created: number, unchanged = 0, skipped = 0) => ({
  type: 'notes:imported' as const,
  room: 'r',
  created,
  unchanged,
  skipped,
});

describe('formats in the UI language', () => {
  afterEach(() => useMessages(() => '', 'en'));

  it('takes the language of the messages file the browser chose, not the browser’s own', () => {
    browserLike('ko');
    expect(uiLanguage()).toBe('ko');
    expect(textDirection()).toBe('ltr');
    useMessages(() => '', 'de-DE');
    expect(uiLanguage()).toBe('de-DE');
  });

  it('picks the English plural form by count, and Korean’s one form', () => {
    browserLike('en');
    expect([0, 1, 2, 1234].map(repliesText)).toEqual(['0 replies', '1 reply', '2 replies', '1,234 replies']);
    expect(plural(1, { one: 'pillOthersOne', other: 'pillOthersOther' })).toBe('1 other here');
    expect(plural(3, { one: 'pillOthersOne', other: 'pillOthersOther' })).toBe('3 others here');
    browserLike('ko');
    expect([1, 2, 1234].map(repliesText)).toEqual(['답글 1개', '답글 2개', '답글 1,234개']);
    expect(plural(1, { one: 'pillOthersOne', other: 'pillOthersOther' })).toBe('다른 사람 1명');
  });

  it('writes numbers and dates as the language does', () => {
    browserLike('en');
    expect(formatNumber(12345)).toBe('12,345');
    expect(formatDateTime('2026-12-01T15:04:00Z')).toMatch(/^Dec [12], 2026, \d{1,2}:04\s[AP]M$/);
    browserLike('ko');
    // Korean order: year. month. day. then the time (오후 3:04, or PM 3:04 with Node's smaller ICU).
    expect(formatDateTime('2026-12-01T15:04:00Z')).toMatch(/^2026\. 12\. [12]\. \S+ \d{1,2}:04$/);
    expect(formatDateTime('not a date')).toBe('');
  });

  it('sums up an import in a sentence, as the e2e tests read it in English', () => {
    browserLike('en');
    expect(importSummary(imported(1))).toBe('Imported 1 note.');
    expect(importSummary(imported(0, 4))).toBe('Imported 0 notes, 4 already here.');
    expect(
      importSummary({
        ...imported(3, 1, 2),
        firstSkipped: { index: 3, message: 'it annotates another page' },
      }),
    ).toBe('Imported 3 notes, 1 already here, 2 skipped (item 4: it annotates another page).');
    browserLike('ko');
    expect(importSummary({ ...imported(3, 1, 2), firstSkipped: { index: 3, message: 'x' } })).toBe(
      '메모 3개를 가져옴, 1개는 이미 있음, 2개 건너뜀 (4번 항목: x).',
    );
  });

  it('shows the server’s English words in English and the code’s sentence in Korean', () => {
    const refusal = { code: 'too_large', message: 'in 50 rooms already; leave one first' };
    browserLike('en');
    expect(serverErrorText(refusal)).toBe('in 50 rooms already; leave one first');
    expect(skipReasonText({ reason: 'other_page', message: 'it annotates https://a.example/, not …' })).toBe(
      'it annotates https://a.example/, not …',
    );
    browserLike('ko');
    expect(serverErrorText(refusal)).toBe('서버의 한도에 도달했습니다');
    expect(serverErrorText({ code: 'rate_limited', message: 'too many requests; slow down' })).toBe(
      t('serverErrorRateLimited'),
    );
    expect(skipReasonText({ reason: 'other_page', message: 'it annotates …' })).toBe(
      '다른 페이지에 단 주석입니다',
    );
    // A code this client does not know keeps the server's words rather than showing nothing.
    expect(serverErrorText({ code: 'teapot', message: 'short and stout' })).toBe('short and stout');
  });

  it('names every colour of the profile palette, in each language', () => {
    browserLike('en');
    const english = PALETTE.map(colorName);
    expect(
      english.every((name) => /^[A-Z][a-z]+$/.test(name)),
      english.join(),
    ).toBe(true);
    expect(new Set(english).size).toBe(PALETTE.length);
    browserLike('ko');
    expect(colorName('#E5484D')).toBe('빨강');
    expect(colorName('#123456')).toBe('#123456');
  });
});
