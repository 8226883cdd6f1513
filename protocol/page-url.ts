/**
 * Page URL normalisation and room ids. Both the extension and the server call these,
 * so two people on "the same page" always land in the same room.
 */

/** Query parameters that only track where a visitor came from; they never change the page. */
const TRACKING_PARAMS = [
  /^utm_/i,
  /^gclid$/i,
  /^fbclid$/i,
  /^msclkid$/i,
  /^mc_(cid|eid)$/i,
  /^_ga$/i,
  /^yclid$/i,
  /^igshid$/i,
];

export const MAX_PAGE_LENGTH = 2048;
export const PUBLIC_CHANNEL = 'public';

/**
 * Normalises a page URL: drops the fragment and credentials, lower-cases the host
 * (the URL parser does), drops default ports (the parser does), strips tracking
 * parameters and sorts the rest. Returns null for anything that is not http(s).
 */
export function normalizePageUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  url.username = '';
  url.password = '';
  const kept = [...url.searchParams].filter(([name]) => !TRACKING_PARAMS.some((re) => re.test(name)));
  // Stable sort by name keeps repeated parameters in their original order.
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = new URLSearchParams(kept).toString();
  const out = url.toString();
  return out.length <= MAX_PAGE_LENGTH ? out : null;
}

/**
 * Channel names: trimmed, lower-cased, inner whitespace collapsed to "-".
 * Two people typing "Team A" and "team a" meet in the same room.
 */
export function normalizeChannel(input: string | undefined): string {
  const name = (input ?? '').trim().toLowerCase().replace(/\s+/g, '-');
  return name === '' ? PUBLIC_CHANNEL : name;
}

/**
 * The room id for a (normalised page, channel) pair. Readable on purpose: logs and
 * metrics show which page a room is, and the server can split it back.
 */
export function roomIdFor(page: string, channel: string): string {
  return `${channel}|${page}`;
}

/** Inverse of {@link roomIdFor}; null when the id is not one we made. */
export function parseRoomId(room: string): { channel: string; page: string } | null {
  const bar = room.indexOf('|');
  if (bar <= 0) return null;
  const channel = room.slice(0, bar);
  const page = room.slice(bar + 1);
  if (normalizeChannel(channel) !== channel || normalizePageUrl(page) !== page) return null;
  return { channel, page };
}

/** Private channels are named `p-` + 12 lower-case base32 characters by the server. */
export const PRIVATE_CHANNEL = /^p-[a-z2-7]{12}$/;

export function isPrivateChannel(channel: string): boolean {
  return PRIVATE_CHANNEL.test(channel);
}

/**
 * An invite code is what a person pastes to join a private room: `<channel>.<key>`.
 * The page comes from the tab, so one code opens the room on the page it was made for.
 */
export function formatInviteCode(channel: string, key: string): string {
  return `${channel}.${key}`;
}

/** Splits an invite code (spaces around it ignored); null when it is not one. */
export function parseInviteCode(code: string): { channel: string; key: string } | null {
  const match = /^(p-[a-z2-7]{12})\.([A-Za-z0-9_-]{16,64})$/.exec(code.trim());
  return match ? { channel: match[1]!, key: match[2]! } : null;
}
