// W3C Web Annotation export and import, judged by the W3C WG's own MUST assertions: a room
// with text notes, point notes, a thread, edits, a reply whose parent was deleted and text in
// many scripts is exported page by page; every page, every annotation and the joined file meet
// all 79 MUSTs; and export -> import -> export gives the same file again.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  normalizePageUrl,
  type AnnotationCollection,
  type Note,
  type NoteAnchor,
  type Result,
  type WebAnnotation,
} from '../../protocol/index.js';
import { exportPages, importFile, joinPages } from '../support/annotation-files.js';
import { ask, makeAuth, type NotesClient } from '../support/clients.js';
import { allNotes } from '../support/notes-pages.js';
import { startTestServer, STORE_KINDS, type TestServer } from '../support/test-server.js';
import { MUST_TESTS, W3CAssertions } from '../support/w3c-assertions.js';

const PAGE = 'https://example.com/wiki/Ω-article?lang=el';
const NORMAL_PAGE = normalizePageUrl(PAGE)!;
const ROOM = `public|${NORMAL_PAGE}`;
const MF = 'http://www.w3.org/TR/media-frags/' as const;

const w3c = new W3CAssertions();
const musts = {
  annotation: w3c.listed(MUST_TESTS.annotation),
  collection: w3c.listed(MUST_TESTS.collection),
  page: w3c.listed(MUST_TESTS.page),
};

/**
 * Every MUST the document fails: as a collection with its embedded page, and each annotation in
 * it. An annotation of a page is under the collection's JSON-LD `@context` (the model's own
 * collection examples do not repeat it per item), so each is judged with that context.
 */
function mustFailures(collection: AnnotationCollection) {
  return [
    ...w3c.failures(musts.collection, collection),
    ...w3c.failures(musts.page, collection),
    ...collection.first.items.flatMap((item) =>
      w3c
        .failures(musts.annotation, { '@context': collection['@context'], ...item })
        .map((f) => ({ annotation: item.id, ...f })),
    ),
  ];
}

function value<T>(result: unknown): T {
  const r = result as Result<T>;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const opId = () => randomBytes(9).toString('base64url');
const TEXT: NoteAnchor = {
  selectors: [
    { type: 'TextQuoteSelector', exact: 'naïve café — 東京 🦊', prefix: 'Ελληνικά ', suffix: ' עברית' },
    { type: 'TextPositionSelector', start: 120, end: 138 },
    {
      type: 'CssSelector',
      value: '#content > p:nth-of-type(2)',
      refinedBy: { type: 'TextPositionSelector', start: 9, end: 27 },
    },
  ],
};
const point = (value: string): NoteAnchor => ({
  selectors: [{ type: 'FragmentSelector', conformsTo: MF, value }],
});

describe.each(STORE_KINDS)('%s store', (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ store: kind, env: { RATE_LIMIT_SCALE: '20' } });
  });
  afterEach(() => server.dispose());

  async function subscribed(name: string, room = ROOM): Promise<NotesClient> {
    const socket = await server.notes(makeAuth({ name }));
    value(await ask(socket, 'notes:subscribe', { room }));
    return socket;
  }

  const create = async (socket: NotesClient, fields: object, room = ROOM) =>
    value<Note>(await ask(socket, 'note:create', { room, opId: opId(), anchor: TEXT, ...fields }));

  /** A room as people leave it: every kind of note, edits, a thread, a deleted parent. */
  async function realisticRoom(): Promise<void> {
    const alice = await subscribed('Zoë 🦊');
    const bob = await subscribed('محمد');
    const quoted = await create(alice, {
      body: 'First thought:\nnaïve café 東京 🦊 — שלום',
      color: '#ffd400',
    });
    await create(alice, { anchor: point('xywh=percent:37.25,80.5,0,0'), body: 'a point, placed finely' });
    await create(bob, { anchor: point('xywh=percent:100,0,0,0'), body: 'top right corner' });
    const reply = await create(bob, { parentId: quoted.id, anchor: { selectors: [] }, body: 'agreed 👍🏽' });
    await create(alice, { parentId: quoted.id, anchor: { selectors: [] }, body: 'thanks, محمد' });
    // A reply with a place of its own, and a colour.
    await create(bob, { parentId: quoted.id, body: 'see also these words', color: '#3366ff' });
    value(
      await ask(alice, 'note:update', { room: ROOM, id: quoted.id, version: 1, body: 'Edited: 東京 🦊' }),
    );
    value(
      await ask(bob, 'note:update', { room: ROOM, id: reply.id, version: 1, body: 'agreed 👍🏽 (edited)' }),
    );
    // A reply outlives its parent: its parent is gone from the export.
    const doomed = await create(alice, { body: 'to be deleted', color: '#22aa44' });
    await create(bob, { parentId: doomed.id, anchor: { selectors: [] }, body: 'reply to a deleted note' });
    value(await ask(alice, 'note:delete', { room: ROOM, id: doomed.id, version: 1 }));
    // Enough text in three-byte characters to need a second page (256 KiB per page).
    for (let i = 0; i < 10; i++) await create(alice, { body: `${i} ` + '漢字かな'.repeat(2_400) });
  }

  it('exports pages that meet every MUST assertion of the W3C WG', async () => {
    await realisticRoom();
    const alice = await subscribed('Zoë 🦊');
    const pages = await exportPages(alice, ROOM);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(mustFailures(page)).toEqual([]);
    expect(pages[0]!.first.next).toBe(pages[1]!.first.id);
    const file = joinPages(pages);
    expect(mustFailures(file)).toEqual([]);
    expect(file.total).toBe(17);
    // A point in whole percent, refined to the hundredth the note has (Media Fragments).
    const fine = file.first.items.find((a) => a.body.value === 'a point, placed finely')!;
    expect(fine.target).toMatchObject({
      selector: [
        {
          type: 'FragmentSelector',
          value: 'xywh=percent:37,80,1,1',
          refinedBy: { type: 'FragmentSelector', value: 'xywh=percent:25,50,0,0' },
        },
      ],
    });
  });

  it('gives back the same file after export, import and export', async () => {
    await realisticRoom();
    const alice = await subscribed('Zoë 🦊');
    const exported = joinPages(await exportPages(alice, ROOM));

    const copyRoom = `team-b|${NORMAL_PAGE}`;
    const carol = await subscribed('Carol', copyRoom);
    const answers = await importFile(carol, copyRoom, exported);
    expect(answers.reduce((sum, a) => sum + a.created, 0)).toBe(17);
    expect(answers.every((a) => a.skipped === 0 && a.skippedItems?.length === 0)).toBe(true);
    const again = joinPages(await exportPages(carol, copyRoom));

    expect(comparable(again)).toEqual(comparable(exported));
    // What an import does not keep: ids are the new room's, the importer is the author.
    expect(again.id).not.toBe(exported.id);
    expect(new Set(again.first.items.map((a) => a.creator.name))).toEqual(new Set(['Carol']));

    // The notes themselves, oldest first: same text, places (the point to the hundredth),
    // colours, threads.
    const [before, after] = [await server.store.list(ROOM), await server.store.list(copyRoom)];
    const shape = (notes: Note[]) => {
      const index = new Map(notes.map((n, i) => [n.id, i]));
      return notes.map((n) => ({
        body: n.body,
        anchor: n.anchor,
        color: n.color,
        parent: n.parentId === undefined ? null : (index.get(n.parentId) ?? 'gone'),
      }));
    };
    expect(shape(after)).toEqual(shape(before));

    // And once more from the copy: nothing drifts.
    const thirdRoom = `team-c|${NORMAL_PAGE}`;
    const dave = await subscribed('Dave', thirdRoom);
    await importFile(dave, thirdRoom, again);
    expect(comparable(joinPages(await exportPages(dave, thirdRoom)))).toEqual(comparable(again));
  });

  it('names each item it skips and why, and creates the rest', async () => {
    const alice = await subscribed('Alice');
    const items = [
      {
        id: 'urn:x:iri-body',
        type: 'Annotation',
        body: 'https://example.org/post',
        target: { source: PAGE, selector: TEXT.selectors },
      },
      {
        id: 'urn:x:xpath',
        type: 'Annotation',
        bodyValue: 'xpath only',
        target: { source: PAGE, selector: { type: 'XPathSelector', value: '/html/body/p[2]' } },
      },
      {
        id: 'urn:x:elsewhere',
        type: 'Annotation',
        bodyValue: 'other page',
        target: { source: 'https://example.org/other', selector: TEXT.selectors },
      },
      {
        id: 'urn:x:ok',
        type: 'Annotation',
        bodyValue: 'from bodyValue',
        target: { source: `${PAGE}#frag`, selector: TEXT.selectors },
      },
    ];
    const answer = value<{ created: number; skipped: number; skippedItems: unknown[] }>(
      await ask(alice, 'notes:import', { room: ROOM, collection: { type: 'AnnotationCollection', items } }),
    );
    expect(answer).toMatchObject({ created: 1, skipped: 3 });
    expect(answer.skippedItems).toEqual([
      {
        index: 0,
        id: 'urn:x:iri-body',
        reason: 'no_text_body',
        message: expect.stringContaining('https://example.org/post'),
      },
      {
        index: 1,
        id: 'urn:x:xpath',
        reason: 'unsupported_selector',
        message: expect.stringContaining('XPathSelector'),
      },
      {
        index: 2,
        id: 'urn:x:elsewhere',
        reason: 'other_page',
        message: expect.stringContaining('https://example.org/other'),
      },
    ]);
    expect((await allNotes(alice, ROOM)).map((n) => [n.body, n.anchor])).toEqual([['from bodyValue', TEXT]]);
  });

  it('refuses an export cursor of another room', async () => {
    await realisticRoom();
    const alice = await subscribed('Zoë 🦊');
    const [first] = await exportPages(alice, ROOM);
    const otherRoom = `team-b|${NORMAL_PAGE}`;
    value(await ask(alice, 'notes:subscribe', { room: otherRoom }));
    expect(await ask(alice, 'notes:export', { room: otherRoom, after: first!.first.next })).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
  });
});

/**
 * A file with what an import cannot keep taken out: annotation ids become their place in the
 * file (an id of no annotation in it, a gone parent, by first appearance), the collection's
 * and pages' ids the room's, and the creator and times of each annotation the importer's.
 */
function comparable(file: AnnotationCollection) {
  const place = new Map(file.first.items.map((item, i) => [item.id, `#${i}`]));
  const gone = new Map<string, string>();
  const ref = (iri: string) =>
    place.get(iri) ?? gone.get(iri) ?? gone.set(iri, `gone-${gone.size}`).get(iri)!;
  const target = (t: WebAnnotation['target']) =>
    typeof t === 'string' ? ref(t) : Array.isArray(t) ? [ref(t[0]), t[1]] : t;
  const { first, ...collection } = file;
  return {
    ...collection,
    id: 'the room',
    first: {
      ...first,
      id: 'the first page',
      items: file.first.items.map(({ id, creator: _c, created: _t0, modified: _t1, target: t, ...rest }) => ({
        ...rest,
        id: ref(id),
        target: target(t),
      })),
    },
  };
}
