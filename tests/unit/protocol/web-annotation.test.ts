import { describe, expect, it } from 'vitest';
import {
  collectionToNotes,
  exportCursorOf,
  ImportedCollection,
  notesToCollection,
  pointFromW3C,
  pointToW3C,
  type Note,
} from '../../../protocol/index.js';

const PAGE = 'https://example.com/a';
const ROOM = `public|${PAGE}`;
const MF = 'http://www.w3.org/TR/media-frags/' as const;
const point = (value: string) => ({ type: 'FragmentSelector' as const, conformsTo: MF, value });
const base = { room: ROOM, version: 1, author: { id: 'p1', name: 'Ada', color: '#112233' } };
const notes: Note[] = [
  {
    ...base,
    id: 'n1',
    body: 'first',
    color: '#ffd400',
    anchor: {
      selectors: [
        { type: 'TextQuoteSelector', exact: 'words', prefix: 'some ', suffix: ' here' },
        { type: 'TextPositionSelector', start: 5, end: 10 },
      ],
    },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
  },
  {
    ...base,
    id: 'n2',
    parentId: 'n1',
    body: 'a reply',
    anchor: { selectors: [] },
    createdAt: 'x',
    updatedAt: 'x',
  },
  {
    ...base,
    id: 'n3',
    body: 'a point',
    anchor: { selectors: [point('xywh=percent:37.25,80.5,0,0')] },
    createdAt: 'y',
    updatedAt: 'y',
  },
];

const importOf = (items: unknown[]) => collectionToNotes(ImportedCollection.parse({ items }), PAGE);
const annotation = (fields: object) => ({
  id: 'https://hyp.is/abc',
  type: 'Annotation',
  body: { type: 'TextualBody', value: 'hello' },
  target: { source: PAGE, selector: { type: 'TextQuoteSelector', exact: 'w' } },
  ...fields,
});

describe('W3C Web Annotation conversion', () => {
  it('round-trips notes through an AnnotationCollection (JSON and back)', () => {
    const collection = JSON.parse(
      JSON.stringify(notesToCollection(notes, { room: ROOM, page: PAGE })),
    ) as unknown;
    const { notes: back, skipped } = collectionToNotes(ImportedCollection.parse(collection), PAGE);
    expect(skipped).toEqual([]);
    expect(back).toEqual([
      {
        index: 0,
        annotationId: 'urn:copresence:note:n1',
        anchor: notes[0]!.anchor,
        body: 'first',
        color: '#ffd400',
      },
      {
        index: 1,
        annotationId: 'urn:copresence:note:n2',
        parent: 'urn:copresence:note:n1',
        anchor: { selectors: [] },
        body: 'a reply',
      },
      { index: 2, annotationId: 'urn:copresence:note:n3', anchor: notes[2]!.anchor, body: 'a point' },
    ]);
  });

  it('gives the collection and its page ids, and pages ids that export takes back as cursors', () => {
    const collection = notesToCollection(
      notes,
      { room: ROOM, page: PAGE },
      {
        total: 9,
        startIndex: 3,
        after: '12',
        next: '40',
      },
    );
    expect(collection.id).toBe('urn:copresence:notes:public%7Chttps%3A%2F%2Fexample.com%2Fa');
    expect(collection.first.id).toBe(`${collection.id}:after:12`);
    expect(collection.first.next).toBe(`${collection.id}:after:40`);
    expect(exportCursorOf(ROOM, collection.first.next!)).toBe('40');
    expect(exportCursorOf(ROOM, '40')).toBe('40');
    expect(exportCursorOf(`team|${PAGE}`, collection.first.next!)).toBeNull();
    expect(exportCursorOf(ROOM, `${collection.id}:after:4x`)).toBeNull();
  });

  it('writes a point in whole percent as Media Fragments require, and reads it back exactly', () => {
    for (const value of ['37.25,80.5', '0,0', '100,100', '100,0.01', '12,99.99', '3.1,4']) {
      const stored = point(`xywh=percent:${value},0,0`);
      const w3c = pointToW3C(stored);
      for (const fragment of [w3c, ...('refinedBy' in w3c && w3c.refinedBy ? [w3c.refinedBy] : [])]) {
        expect(fragment.value).toMatch(/^xywh=percent:\d+,\d+,\d+,\d+$/);
      }
      expect(pointFromW3C(JSON.parse(JSON.stringify(w3c)))).toEqual(stored);
    }
    expect(pointToW3C(point('xywh=percent:37.25,80.5,0,0'))).toEqual({
      ...point('xywh=percent:37,80,1,1'),
      refinedBy: point('xywh=percent:25,50,0,0'),
    });
    // Older exports wrote decimals; other tools' points and boxes.
    expect(pointFromW3C(point('xywh=percent:37.25,80.5,0,0'))).toEqual(point('xywh=percent:37.25,80.5,0,0'));
    expect(pointFromW3C(point('xywh=percent:10,20,30,40'))).toBeNull();
    expect(pointFromW3C(point('xywh=pixel:10,20,0,0'))).toBeNull();
    expect(pointFromW3C(point('xywh=percent:101,20,0,0'))).toBeNull();
  });

  it('takes the text of bodyValue, and of a comment before a tag', () => {
    const { notes: back } = importOf([
      annotation({ body: undefined, bodyValue: 'from bodyValue' }),
      annotation({
        id: 'two',
        body: [
          { type: 'TextualBody', value: 'tag', purpose: 'tagging' },
          { type: 'TextualBody', value: 'the comment', purpose: 'commenting' },
        ],
      }),
    ]);
    expect(back.map((n) => n.body)).toEqual(['from bodyValue', 'the comment']);
  });

  it('names every item it skips, with why', () => {
    const { notes: back, skipped } = importOf([
      annotation({ body: 'https://example.org/a-linked-page' }),
      annotation({
        id: 'xpath',
        target: { source: PAGE, selector: { type: 'XPathSelector', value: '/p[1]' } },
      }),
      annotation({ id: 'other', target: { source: 'https://elsewhere.example/', selector: [] } }),
      annotation({ id: 'whole', target: PAGE }),
      annotation({ id: 'image', body: { id: 'https://example.org/i.png', type: 'Image' } }),
      annotation({ id: 'empty', body: { type: 'TextualBody', value: '  ' } }),
      { id: 'nothing', type: 'Note' },
      42,
      annotation({ id: 'xpath' }),
      annotation({ id: 'box', target: { source: PAGE, selector: point('xywh=percent:10,20,30,40') } }),
      annotation({
        id: 'ok',
        target: { source: `${PAGE}#section`, selector: { type: 'TextQuoteSelector', exact: 'w' } },
      }),
    ]);
    expect(skipped).toEqual([
      {
        index: 0,
        id: 'https://hyp.is/abc',
        reason: 'no_text_body',
        message: expect.stringContaining('a link to https://example.org/a-linked-page'),
      },
      {
        index: 1,
        id: 'xpath',
        reason: 'unsupported_selector',
        message: expect.stringContaining('XPathSelector'),
      },
      {
        index: 2,
        id: 'other',
        reason: 'other_page',
        message: expect.stringContaining('https://elsewhere.example/'),
      },
      { index: 3, id: 'whole', reason: 'no_selector', message: expect.any(String) },
      { index: 4, id: 'image', reason: 'no_text_body', message: 'its body is not text' },
      { index: 5, id: 'empty', reason: 'bad_text', message: expect.any(String) },
      { index: 6, id: 'nothing', reason: 'not_an_annotation', message: expect.stringContaining('type') },
      { index: 7, reason: 'not_an_annotation', message: expect.any(String) },
      { index: 8, id: 'xpath', reason: 'duplicate_id', message: expect.any(String) },
      {
        index: 9,
        id: 'box',
        reason: 'unsupported_selector',
        message: expect.stringContaining('FragmentSelector'),
      },
    ]);
    // The page's own URL with a fragment is the page.
    expect(back.map((n) => n.annotationId)).toEqual(['ok']);
  });

  it('keeps file order, but a reply after its parent; one whose parent is elsewhere stays in place', () => {
    const { notes: back, skipped } = importOf([
      {
        id: 'r',
        type: 'Annotation',
        motivation: 'replying',
        bodyValue: 'orphan reply',
        target: 'urn:missing',
      },
      annotation({ id: 'c', target: 'https://hyp.is/parent', motivation: 'replying' }),
      annotation({ id: 'https://hyp.is/parent' }),
    ]);
    expect(skipped).toEqual([]);
    expect(back.map((n) => [n.annotationId, n.parent])).toEqual([
      ['r', 'urn:missing'],
      ['https://hyp.is/parent', undefined],
      ['c', 'https://hyp.is/parent'],
    ]);
  });
});
