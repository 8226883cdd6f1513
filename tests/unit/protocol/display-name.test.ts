import { describe, expect, it } from 'vitest';
import { Auth, Name, normalizeDisplayName } from '../../../protocol/index.js';

describe('display names', () => {
  it.each([
    ['a trailing zero-width space', 'Alice\u200b', 'Alice'],
    ['a zero-width joiner between letters', 'Al\u200dice', 'Alice'],
    ['a right-to-left override', '\u202eecilA', 'ecilA'],
    ['bidi isolates and marks', '\u2067Alice\u2069\u200f', 'Alice'],
    ['a soft hyphen', 'Ali\u00adce', 'Alice'],
    ['a byte order mark', '\ufeffAlice', 'Alice'],
    ['no-break and ideographic spaces', 'Ada\u00a0\u3000 Lovelace', 'Ada Lovelace'],
    ['decomposed accents (NFC)', 'Zoe\u0301', 'Zoé'],
    ['a Hangul filler', '\u3164김민수', '김민수'],
  ])('normalises %s', (_label, raw, expected) => {
    expect(normalizeDisplayName(raw)).toBe(expected);
    expect(Name.parse(raw)).toBe(expected);
  });

  it('keeps Korean, accents and emoji sequences intact', () => {
    for (const name of ['김민수', 'Zoé', '👩\u200d💻 Ada', '❤\ufe0f\u200d🔥', '🏳\ufe0f\u200d🌈']) {
      expect(Name.parse(name)).toBe(name);
    }
  });

  it.each([
    ['a lone zero-width space', '\u200b'],
    ['only bidi controls', '\u202e\u202c'],
    ['only a Hangul filler', '\u3164'],
    ['only combining marks', '\u0301\u0302'],
    ['only spaces of every kind', ' \u00a0\u3000\u2003'],
    ['a control character', 'A\u0007da'],
    ['41 characters after normalising', 'n'.repeat(41) + '\u200b'],
  ])('refuses %s', (_label, raw) => {
    expect(Name.safeParse(raw).success).toBe(false);
  });

  it('makes look-alike handshakes carry the same name', () => {
    const base = { clientId: 'abcdefgh12345678', secret: 's'.repeat(32), color: '#336699' };
    const names = ['Alice', 'Alice\u200b', '\u2066Alice\u2069', 'Alice\u00a0'].map(
      (name) => Auth.parse({ ...base, name }).name,
    );
    expect(new Set(names)).toEqual(new Set(['Alice']));
  });
});
