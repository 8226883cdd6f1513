import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { relativeTime, t, useMessages } from '../../extension/shared/i18n.js';

type Messages = Record<string, { message: string; placeholders?: Record<string, unknown> }>;
const read = (lang: string): Messages =>
  JSON.parse(
    readFileSync(new URL(`../../_locales/${lang}/messages.json`, import.meta.url), 'utf8'),
  ) as Messages;
/** `$1`, `$NAME$`… a message uses; a translation must use the same ones. */
const slots = (message: string): string[] =>
  [...message.matchAll(/\$(\d|[A-Za-z_]+\$)/g)].map((m) => m[0]).sort();

describe('i18n', () => {
  afterEach(() => useMessages(() => '', 'en'));

  it('every locale has every English key, with the same placeholders, and nothing else', () => {
    const english = read('en');
    const locales = readdirSync(new URL('../../_locales/', import.meta.url)).filter((lang) => lang !== 'en');
    expect(locales).toContain('ko');
    for (const lang of locales) {
      const other = read(lang);
      expect(Object.keys(other).sort(), lang).toEqual(Object.keys(english).sort());
      for (const [key, entry] of Object.entries(english)) {
        expect(other[key]?.message.trim(), `${lang}.${key}`).not.toBe('');
        expect(slots(other[key]!.message), `${lang}.${key}`).toEqual(slots(entry.message));
      }
    }
  });

  it('answers in the installed language and falls back to English for a missing message', () => {
    const korean = read('ko');
    useMessages((key) => korean[key]?.message ?? '', 'ko');
    expect(t('addNoteHere')).toBe('여기에 메모 추가');
    useMessages(() => '', 'ko');
    expect(t('addNoteHere')).toBe('Add note here');
  });

  it('formats relative times in the UI language', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    useMessages(() => '', 'en');
    expect(relativeTime('2026-12-01T11:57:00Z', now)).toBe('3 minutes ago');
    expect(relativeTime('2026-12-01T11:59:50Z', now)).toBe('just now');
    const korean = read('ko');
    useMessages((key) => korean[key]?.message ?? '', 'ko');
    expect(relativeTime('2026-12-01T11:57:00Z', now)).toBe('3분 전');
    expect(relativeTime('2026-11-30T12:00:00Z', now)).toBe('어제');
    expect(relativeTime('2026-12-01T11:59:50Z', now)).toBe('방금');
  });
});
