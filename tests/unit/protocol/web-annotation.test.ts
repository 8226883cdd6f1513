import { describe, expect, it } from 'vitest';
import {
  collectionToNotes,
  ImportedCollection,
  notesToCollection,
  type Note,
} from '../../../protocol/index.js';

const PAGE = 'https://example.com/a';
const base = { room: `public|${PAGE}`, version: 1, author: { id: 'p1', name: 'Ada', color: '#112233' } };
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
    anchor: {
      selectors: [
        {
          type: 'FragmentSelector',
          conformsTo: 'http://www.w3.org/TR/media-frags/',
          value: 'xywh=percent:10,20,0,0',
        },
      ],
    },
    createdAt: 'y',
    updatedAt: 'y',
  },
];

describe('W3C Web Annotation conversion', () => {
  it('round-trips notes through an AnnotationCollection (JSON and back)', () => {
    const collection = JSON.parse(JSON.stringify(notesToCollection(notes, PAGE))) as unknown;
    const items = ImportedCollection.parse(collection);
    const { notes: back, skipped } = collectionToNotes(items);
    expect(skipped).toBe(0);
    expect(back).toEqual([
      { annotationId: 'urn:copresence:note:n1', anchor: notes[0]!.anchor, body: 'first', color: '#ffd400' },
      {
        annotationId: 'urn:copresence:note:n2',
        parent: 'urn:copresence:note:n1',
        anchor: { selectors: [] },
        body: 'a reply',
      },
      { annotationId: 'urn:copresence:note:n3', anchor: notes[2]!.anchor, body: 'a point' },
    ]);
  });

  it('accepts what other tools write: items on the collection, single body and selector, unknown selectors dropped', () => {
    const items = ImportedCollection.parse({
      type: 'AnnotationCollection',
      items: [
        {
          id: 'https://hyp.is/abc',
          type: 'Annotation',
          body: { type: 'TextualBody', value: 'hello' },
          target: {
            source: PAGE,
            selector: [
              { type: 'XPathSelector', value: '/p[1]' },
              { type: 'TextQuoteSelector', exact: 'w' },
            ],
          },
        },
        { id: 'r', type: 'Annotation', body: 'orphan reply', target: 'urn:missing' },
      ],
    });
    const { notes: back, skipped } = collectionToNotes(items);
    expect(back).toEqual([
      {
        annotationId: 'https://hyp.is/abc',
        anchor: { selectors: [{ type: 'TextQuoteSelector', exact: 'w' }] },
        body: 'hello',
      },
      // Its parent may have come in an earlier import of the same room; the server decides.
      { annotationId: 'r', parent: 'urn:missing', anchor: { selectors: [] }, body: 'orphan reply' },
    ]);
    expect(skipped).toBe(0);
  });
});
