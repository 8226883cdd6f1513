/**
 * Display names that cannot pose as someone else. "Alice\u200b",
 * "\u202eecilA" (shown as "Alice") and a lone zero-width space all looked like a name, or
 * like nothing, while being distinct strings. A name is normalised once, the same way by
 * the server (handshake, presence:update) and the extension (popup), so what is shown is
 * what was compared.
 *
 * Not covered: look-alike letters of other scripts (Cyrillic "А" for Latin "A"). A
 * confusables table is a larger tool than a name field needs; colours tell people apart.
 */

/**
 * Characters that draw nothing or reorder what is drawn: Unicode's default-ignorable code
 * points (zero-width spaces and joiners, variation selectors, the Hangul fillers, soft
 * hyphen, tag characters), the bidi controls (U+202A-E, U+2066-9, U+200E/F, U+061C), and
 * any other format character.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Cf}]/u;
/** The invisible characters that emoji need: a joiner between pictographs, a variation selector after one. */
const EMOJI_JOINER = /\u200d/u;
const VARIATION_SELECTOR = /[\ufe0e\ufe0f]/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
/** Every kind of space (no-break, ideographic, en, ...) and line break. */
const SPACES = /[\p{White_Space}]+/gu;
/** At least one character someone can see: a letter, digit, punctuation or symbol. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * NFC, invisible and bidi-control characters removed (except those inside emoji), runs of
 * any space collapsed to one ASCII space, trimmed. The result may be empty: the caller
 * refuses a name without a visible character ({@link hasVisibleCharacter}).
 */
export function normalizeDisplayName(raw: string): string {
  const chars = Array.from(raw.normalize('NFC'));
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (INVISIBLE.test(char) && !keptInEmoji(chars, i)) continue;
    out += char;
  }
  return out.replace(SPACES, ' ').trim();
}

/** Whether `name` shows anything: not only marks, joiners or spaces. */
export function hasVisibleCharacter(name: string): boolean {
  return VISIBLE.test(name);
}

/** A joiner between two pictographs, or a variation selector right after one, is part of an emoji. */
function keptInEmoji(chars: readonly string[], i: number): boolean {
  const before = chars[i - 1];
  const after = chars[i + 1];
  const char = chars[i]!;
  const pictographBefore = before !== undefined && PICTOGRAPH.test(before);
  if (VARIATION_SELECTOR.test(char)) return pictographBefore;
  if (!EMOJI_JOINER.test(char)) return false;
  // "👩\u200d💻", also after a variation selector: "❤\ufe0f\u200d🔥".
  const pictographOrSelectorBefore =
    pictographBefore ||
    (before !== undefined && VARIATION_SELECTOR.test(before) && PICTOGRAPH.test(chars[i - 2] ?? ''));
  return pictographOrSelectorBefore && after !== undefined && PICTOGRAPH.test(after);
}
