// @vitest-environment happy-dom
/**
 * What a hostile server sends is checked again in the content script before it reaches a
 * style or the DOM: colours that are not `#rrggbb` become the neutral grey,
 * names lose invisible and control characters and are cut to 40; the cursor label and
 * the overlay's styles show only the checked values.
 */
import { describe, expect, it } from 'vitest';
import type { Note, Peer } from '../../../protocol/index.js';
import { createOverlay } from '../../../extension/content/overlay.js';
import { RemoteCursors } from '../../../extension/content/remote-cursors.js';
import { NEUTRAL_COLOR, safeColor, safeMessage, safeName } from '../../../extension/content/safe-values.js';
import { t } from '../../../extension/shared/i18n.js';

const HOSTILE_COLORS = [
  'red;background:url(https://evil)',
  '#fff" onload=',
  '#ffffff;background:url(https://evil)',
  '#fff',
  'url(https://evil)',
  ' #aabbcc',
  '#aabbcc ',
  '#aabbcc\n',
  'var(--x)',
  '',
];

const note = (over: Partial<Note> = {}): Note => ({
  id: 'n1',
  room: 'room-1',
  version: 1,
  anchor: { selectors: [] },
  body: 'hello',
  author: { id: 'p1', name: 'Alice', color: '#aa0000' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('safeColor', () => {
  it('keeps #rrggbb colours', () => {
    expect(safeColor('#1a2B3c')).toBe('#1a2B3c');
  });

  it.each(HOSTILE_COLORS)('turns %j into the neutral colour', (value) => {
    expect(safeColor(value)).toBe(NEUTRAL_COLOR);
  });

  it('turns non-strings into the fallback', () => {
    expect(safeColor(undefined, '#000000')).toBe('#000000');
    expect(safeColor({ toString: () => '#aabbcc' })).toBe(NEUTRAL_COLOR);
  });
});

describe('safeName', () => {
  it('drops control, bidi and zero-width characters and collapses whitespace', () => {
    expect(safeName('Al\u0000ice\u202e')).toBe('Alice');
    expect(safeName('\u200bBob\u200d \u2066x\u2069')).toBe('Bob x');
    expect(safeName('  Carol \n\t Dee ')).toBe('Carol Dee');
  });

  it('cuts to 40 characters (code points, not halves of emoji)', () => {
    expect(safeName('x'.repeat(500))).toBe('x'.repeat(40));
    const emoji = '😀'.repeat(41);
    expect([...safeName(emoji)]).toHaveLength(40);
  });

  it('names nobody "Someone" rather than showing nothing', () => {
    expect(safeName('\u202e\u200b ')).toBe(t('someone'));
    expect(safeName(42)).toBe(t('someone'));
  });
});

describe('safeMessage', () => {
  it('checks every peer of a session and of a peers update', () => {
    const evil: Peer = {
      id: 'p2',
      name: 'Bob\u202e',
      color: 'red;background:url(https://evil)',
      idle: false,
    };
    const session = safeMessage({
      type: 'session',
      active: true,
      room: 'room-1',
      page: 'http://example.org/',
      channel: 'public',
      self: { ...evil, id: 'p1' },
      peers: [evil],
    });
    expect(session).toMatchObject({
      self: { name: 'Bob', color: NEUTRAL_COLOR },
      peers: [{ name: 'Bob', color: NEUTRAL_COLOR }],
    });
    expect(safeMessage({ type: 'peers', room: 'room-1', peers: [evil] })).toMatchObject({
      peers: [{ id: 'p2', name: 'Bob', color: NEUTRAL_COLOR }],
    });
  });

  it('checks note authors and note colours in every note message', () => {
    const hostile = note({
      color: '#fff" onload=',
      author: { id: 'p1', name: 'Eve\u0007', color: 'red;background:url(https://evil)' },
    });
    for (const message of [
      safeMessage({ type: 'note:upsert', room: 'room-1', note: hostile }),
      safeMessage({ type: 'notes', room: 'room-1', notes: [hostile] }),
      safeMessage({ type: 'note:conflict', room: 'room-1', id: 'n1', mine: 'x', theirs: hostile }),
    ]) {
      const checked =
        message.type === 'notes'
          ? message.notes[0]
          : message.type === 'note:upsert'
            ? message.note
            : message.type === 'note:conflict'
              ? message.theirs
              : null;
      expect(checked?.author).toEqual({ id: 'p1', name: 'Eve', color: NEUTRAL_COLOR });
      // A bad note colour is dropped: the card falls back to the (checked) author colour.
      expect(checked && 'color' in checked).toBe(false);
      expect(checked?.body).toBe('hello');
    }
    expect(
      safeMessage({ type: 'note:upsert', room: 'room-1', note: note({ color: '#4aa8ff' }) }),
    ).toMatchObject({
      note: { color: '#4aa8ff' },
    });
  });
});

describe('a hostile peer in the overlay', () => {
  it('draws its cursor in the neutral colour and its cleaned name as generated content', () => {
    const overlay = createOverlay(document);
    const cursors = new RemoteCursors(overlay.cursors, document);
    const evil: Peer = {
      id: 'p2',
      name: 'Mallory\u202e',
      color: 'red;background:url(https://evil)',
      idle: false,
    };
    cursors.setPeers([evil]);
    cursors.apply([{ peerId: 'p2', cursor: { x: 0.1, y: 0.1 } }]);
    const element = overlay.shadow.querySelector('[data-peer-id="p2"]');
    const label = element?.querySelector<HTMLElement>('.label');
    expect(label?.getAttribute('data-text')).toBe('Mallory');
    // No DOM text for the page's find() or selection to reach.
    expect(label?.textContent).toBe('');
    expect(label?.getAttribute('style') ?? '').not.toContain('evil');
    expect(element?.querySelector('path')?.getAttribute('fill')).toBe(NEUTRAL_COLOR);
    overlay.remove();
  });
});
