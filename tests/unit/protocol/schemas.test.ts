import { describe, expect, it } from 'vitest';
import {
  Auth,
  CursorMove,
  fail,
  invalid,
  NoteCreate,
  NoteUpdate,
  ok,
  RoomJoin,
  resultSchema,
  Note,
} from '../../../protocol/index.js';

const room = 'public|https://example.com/';

describe('Auth', () => {
  const good = { clientId: 'abcdefgh12345678', secret: 's'.repeat(32), name: 'Ada', color: '#336699' };

  it('accepts a well-formed handshake and trims the name', () => {
    expect(Auth.parse({ ...good, name: '  Ada  ' }).name).toBe('Ada');
  });

  it.each([
    ['short client id', { clientId: 'abc' }],
    ['client id with spaces', { clientId: 'abc def ghi jkl' }],
    ['short secret', { secret: 'x' }],
    ['empty name', { name: '   ' }],
    ['control character in name', { name: 'A\u0007da' }],
    ['long name', { name: 'n'.repeat(41) }],
    ['colour name', { color: 'red' }],
  ])('refuses %s', (_label, patch) => {
    expect(Auth.safeParse({ ...good, ...patch }).success).toBe(false);
  });
});

describe('cursor:move', () => {
  it('accepts fractions and an element anchor', () => {
    const parsed = CursorMove.parse({
      room,
      cursor: { x: 0.5, y: 1, anchor: { path: 'p:nth-of-type(2)', fx: 0, fy: 0.25 } },
    });
    expect(parsed.cursor.anchor?.path).toBe('p:nth-of-type(2)');
  });

  it.each([
    { room, cursor: { x: 1.5, y: 0 } },
    { room, cursor: { x: '0.5', y: 0 } },
    { room, cursor: { x: Number.NaN, y: 0 } },
    { room, cursor: { x: 0, y: 0, anchor: { path: '', fx: 0, fy: 0 } } },
    { room: '', cursor: { x: 0, y: 0 } },
    { cursor: { x: 0, y: 0 } },
  ])('refuses %j', (payload) => {
    expect(CursorMove.safeParse(payload).success).toBe(false);
  });
});

describe('room:join', () => {
  it('refuses a page that is too long', () => {
    expect(RoomJoin.safeParse({ page: 'https://e.com/' + 'a'.repeat(5000) }).success).toBe(false);
  });
});

describe('notes', () => {
  const create = {
    room,
    opId: 'op_12345678',
    anchor: {
      selectors: [
        { type: 'TextQuoteSelector', exact: 'hello', prefix: 'say ', suffix: ' world' },
        { type: 'TextPositionSelector', start: 4, end: 9 },
      ],
    },
    body: 'Nice words',
  };

  it('accepts a note with W3C selectors', () => {
    expect(NoteCreate.parse(create).anchor.selectors).toHaveLength(2);
  });

  it.each([
    ['unknown selector type', { anchor: { selectors: [{ type: 'Bogus', exact: 'x' }] } }],
    ['empty body', { body: '   ' }],
    ['huge body', { body: 'x'.repeat(10_001) }],
    ['bad op id', { opId: 'a b' }],
    [
      'too many selectors',
      { anchor: { selectors: Array(9).fill({ type: 'TextPositionSelector', start: 0, end: 1 }) } },
    ],
  ])('refuses %s', (_label, patch) => {
    expect(NoteCreate.safeParse({ ...create, ...patch }).success).toBe(false);
  });

  it('needs a positive integer version to update', () => {
    expect(NoteUpdate.safeParse({ room, id: 'n1', version: 0, body: 'x' }).success).toBe(false);
    expect(NoteUpdate.safeParse({ room, id: 'n1', version: 1.5, body: 'x' }).success).toBe(false);
    expect(NoteUpdate.safeParse({ room, id: 'n1', version: 2, body: 'x' }).success).toBe(true);
  });
});

describe('ack results', () => {
  it('builds ok and fail results that the result schema accepts', () => {
    const schema = resultSchema(Note.pick({ id: true }));
    expect(schema.parse(ok({ id: 'n1' }))).toEqual({ ok: true, value: { id: 'n1' } });
    expect(schema.parse(fail('conflict', 'stale'))).toEqual({
      ok: false,
      error: { code: 'conflict', message: 'stale' },
    });
    expect(schema.safeParse({ ok: false, error: { code: 'nope', message: '' } }).success).toBe(false);
  });

  it('names the failing field in an invalid error', () => {
    const parsed = RoomJoin.safeParse({ page: 42 });
    expect(parsed.success).toBe(false);
    if (!parsed.success)
      expect(invalid(parsed.error).error).toMatchObject({ code: 'invalid', message: /^page: / });
  });
});
