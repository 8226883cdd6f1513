/**
 * Every user-visible string goes through `t()`, which reads the browser's i18n
 * (`_locales/<lang>/messages.json`, the language following the browser's). Entry points
 * install the browser's `i18n.getMessage` with {@link useMessages}; until then (unit tests,
 * which have no browser) the English file answers, so tests see real text.
 *
 * Keys are typed from the English file: a key missing there does not compile, and a
 * unit test checks that Korean has every English key with the same placeholders.
 */
import english from '../../_locales/en/messages.json';

export type MessageKey = keyof typeof english;

type GetMessage = (key: string, substitutions?: string[]) => string;
interface Locale {
  getMessage: GetMessage;
  language: string;
}

/** English straight from the file: `$1`… substituted as the browser does for positional placeholders. */
const fallback: Locale = {
  getMessage: (key, substitutions = []) => {
    const entry = (english as Record<string, { message: string } | undefined>)[key];
    if (!entry) return '';
    return entry.message.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '');
  },
  language: 'en',
};

let current: Locale = fallback;

/**
 * Installs the browser's i18n (entry points only). The language is that of the messages file
 * the browser chose (its `messagesLocale`), not the browser's own: a German browser reads our
 * English file, and its dates and numbers should be English too.
 */
export function useMessages(getMessage: GetMessage, language: string): void {
  current = { getMessage, language: getMessage('messagesLocale') || language };
  relativeFormat = null;
  pluralRules = null;
  numberFormat = null;
  dateFormat = null;
}

/** The message for `key` in the browser's language; English when the language lacks it. */
export function t(key: MessageKey, ...substitutions: string[]): string {
  return current.getMessage(key, substitutions) || fallback.getMessage(key, substitutions);
}

/** The language (BCP 47) of the text we show: `<html lang>` and every `Intl` formatter. */
export function uiLanguage(): string {
  return current.language;
}

/** `ltr` or `rtl`, as the messages file says of its language. */
export function textDirection(): 'ltr' | 'rtl' {
  return t('textDirection') === 'rtl' ? 'rtl' : 'ltr';
}

let pluralRules: Intl.PluralRules | null = null;
let numberFormat: Intl.NumberFormat | null = null;
let dateFormat: Intl.DateTimeFormat | null = null;

/** `count` as the UI language writes numbers (1,234 in English). */
export function formatNumber(count: number): string {
  numberFormat ??= new Intl.NumberFormat(current.language);
  return numberFormat.format(count);
}

/** A date and time, such as "Dec 1, 2026, 12:00 PM" (2026. 12. 1. 오후 12:00). */
export function formatDateTime(iso: string): string {
  dateFormat ??= new Intl.DateTimeFormat(current.language, { dateStyle: 'medium', timeStyle: 'short' });
  const time = Date.parse(iso);
  return Number.isFinite(time) ? dateFormat.format(time) : '';
}

/**
 * The message for `count` in the plural form the UI language uses for it: English says
 * "1 reply" (`one`) but "0 replies", "2 replies" (`other`); Korean has only `other`. `$1`
 * is the formatted count, `$2`… the further substitutions.
 */
export function plural(
  count: number,
  forms: { one: MessageKey; other: MessageKey },
  ...substitutions: string[]
): string {
  pluralRules ??= new Intl.PluralRules(current.language);
  const key = pluralRules.select(count) === 'one' ? forms.one : forms.other;
  return t(key, formatNumber(count), ...substitutions);
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

let relativeFormat: Intl.RelativeTimeFormat | null = null;

/** "just now", "5 minutes ago", "yesterday" (or 방금, 5분 전, 어제)… for an ISO time. */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (!Number.isFinite(seconds)) return '';
  // One formatter for every card: building one costs more than formatting with it.
  relativeFormat ??= new Intl.RelativeTimeFormat(current.language, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return t('justNow');
}
