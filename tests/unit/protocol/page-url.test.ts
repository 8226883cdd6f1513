import { describe, expect, it } from 'vitest';
import {
  formatInviteCode,
  isPrivateChannel,
  normalizeChannel,
  normalizePageUrl,
  parseInviteCode,
  parseRoomId,
  roomIdFor,
} from '../../../protocol/index.js';

describe('normalizePageUrl', () => {
  it.each([
    ['https://Example.COM/a/b#section-2', 'https://example.com/a/b'],
    ['https://example.com:443/x', 'https://example.com/x'],
    ['http://example.com:80/x', 'http://example.com/x'],
    ['http://example.com:8080/x', 'http://example.com:8080/x'],
    ['https://example.com/?b=2&a=1', 'https://example.com/?a=1&b=2'],
    ['https://example.com/p?utm_source=x&id=7&utm_medium=y&gclid=z&fbclid=w', 'https://example.com/p?id=7'],
    ['https://example.com/p?UTM_Campaign=x', 'https://example.com/p'],
    ['https://user:pw@example.com/p', 'https://example.com/p'],
    ['https://example.com', 'https://example.com/'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizePageUrl(input)).toBe(expected);
  });

  it('keeps repeated parameters in their order after sorting by name', () => {
    expect(normalizePageUrl('https://e.com/?z=1&t=2&t=1')).toBe('https://e.com/?t=2&t=1&z=1');
  });

  it('gives the same room for links that differ only in tracking and fragment', () => {
    const a = normalizePageUrl('https://news.example/story?id=3&utm_source=mail#comments');
    const b = normalizePageUrl('https://NEWS.example:443/story?id=3');
    expect(a).not.toBeNull();
    expect(a).toBe(b);
  });

  it.each(['not a url', 'ftp://example.com/file', 'chrome://extensions', 'javascript:alert(1)', ''])(
    'refuses %j',
    (input) => {
      expect(normalizePageUrl(input)).toBeNull();
    },
  );

  it('refuses URLs longer than the limit', () => {
    expect(normalizePageUrl('https://e.com/' + 'a'.repeat(3000))).toBeNull();
  });
});

describe('channels and room ids', () => {
  it('normalises channel names', () => {
    expect(normalizeChannel(undefined)).toBe('public');
    expect(normalizeChannel('  ')).toBe('public');
    expect(normalizeChannel(' Team  A ')).toBe('team-a');
  });

  it('round-trips a room id', () => {
    const page = normalizePageUrl('https://e.com/a?x=1')!;
    const room = roomIdFor(page, 'team-a');
    expect(parseRoomId(room)).toEqual({ channel: 'team-a', page });
  });

  it.each([
    '',
    'public',
    '|https://e.com/',
    'Team A|https://e.com/',
    'public|https://E.com/#x',
    'public|ftp://e.com/',
  ])('refuses the room id %j', (room) => {
    expect(parseRoomId(room)).toBeNull();
  });
});

describe('invite codes', () => {
  it('round-trips channel and key', () => {
    const code = formatInviteCode('p-abcdefgh2345', 'K3y_with-sixteen+'.replace('+', 'x'));
    expect(parseInviteCode(`  ${code} `)).toEqual({ channel: 'p-abcdefgh2345', key: 'K3y_with-sixteenx' });
    expect(isPrivateChannel('p-abcdefgh2345')).toBe(true);
  });

  it.each([
    '',
    'public.abcdefghijklmnop',
    'p-abcdefgh2345.short',
    'p-ABCDEFGH2345.abcdefghijklmnop',
    'p-abcdefgh2345',
  ])('refuses %j', (code) => {
    expect(parseInviteCode(code)).toBeNull();
  });

  it('does not take named channels for private ones', () => {
    expect(isPrivateChannel('team-a')).toBe(false);
  });
});
