import { describe, expect, it } from 'vitest';
import {
  ContentToWorker,
  PopupReply,
  PopupToWorker,
  ServerUrl,
  WorkerToContent,
} from '../../../extension/shared/messages.js';

const room = 'public|http://localhost:8000/article.html';
const peer = { id: 'p1', name: 'Ada', color: '#336699', idle: false };
const note = {
  id: 'n1',
  room,
  version: 1,
  anchor: { selectors: [{ type: 'TextQuoteSelector', exact: 'headland' }] },
  body: 'Which one?',
  author: { id: 'p1', name: 'Ada', color: '#336699' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('content -> worker messages', () => {
  it.each([
    { type: 'hello', url: 'https://example.com/a' },
    { type: 'cursor:move', cursor: { x: 0.5, y: 0.25, anchor: { path: 'body > p', fx: 0.1, fy: 1 } } },
    { type: 'cursor:hide' },
    {
      type: 'note:create',
      anchor: { selectors: [{ type: 'TextQuoteSelector', exact: 'x', prefix: 'a', suffix: 'b' }] },
      body: 'hi',
    },
  ])('accepts $type', (message) => {
    expect(ContentToWorker.safeParse(message).success).toBe(true);
  });

  it.each([
    ['unknown type', { type: 'room:join', page: 'https://example.com' }],
    ['cursor outside the page', { type: 'cursor:move', cursor: { x: 1.5, y: 0 } }],
    ['empty note body', { type: 'note:create', anchor: { selectors: [] }, body: '   ' }],
    ['hello without url', { type: 'hello' }],
    ['not an object', 'hello'],
  ])('rejects %s', (_label, message) => {
    expect(ContentToWorker.safeParse(message).success).toBe(false);
  });
});

describe('worker -> content messages', () => {
  it('tells an active session from an inactive one', () => {
    const active = WorkerToContent.parse({
      type: 'session',
      active: true,
      room,
      page: 'http://localhost:8000/article.html',
      channel: 'public',
      self: peer,
      peers: [],
    });
    expect(active.type === 'session' && active.active && active.self.name).toBe('Ada');
    expect(WorkerToContent.safeParse({ type: 'session', active: false, reason: 'off' }).success).toBe(true);
  });

  it('rejects an active session without its room', () => {
    expect(WorkerToContent.safeParse({ type: 'session', active: true, self: peer, peers: [] }).success).toBe(
      false,
    );
  });

  it('carries cursor batches with removals and whole notes', () => {
    expect(
      WorkerToContent.safeParse({ type: 'cursors', room, cursors: [{ peerId: 'p2', cursor: null }] }).success,
    ).toBe(true);
    expect(WorkerToContent.safeParse({ type: 'note:upsert', room, note }).success).toBe(true);
    expect(WorkerToContent.safeParse({ type: 'note:upsert', room, note: { ...note, id: '' } }).success).toBe(
      false,
    );
  });
});

describe('popup messages', () => {
  it('accepts the popup requests and refuses a bad colour', () => {
    expect(PopupToWorker.safeParse({ type: 'popup:get-state', tabId: 3 }).success).toBe(true);
    expect(PopupToWorker.safeParse({ type: 'popup:set-sharing', tabId: 3, enabled: true }).success).toBe(
      true,
    );
    expect(PopupToWorker.safeParse({ type: 'popup:set-profile', tabId: 3, name: ' Bo ' }).success).toBe(true);
    expect(PopupToWorker.safeParse({ type: 'popup:set-profile', tabId: 3, color: 'red' }).success).toBe(
      false,
    );
  });

  it('accepts http(s) and ws(s) server URLs only', () => {
    expect(ServerUrl.safeParse('http://127.0.0.1:8080').success).toBe(true);
    expect(ServerUrl.safeParse('wss://collab.example.org').success).toBe(true);
    expect(ServerUrl.safeParse('javascript:alert(1)').success).toBe(false);
    expect(ServerUrl.safeParse('not a url').success).toBe(false);
  });

  it('answers with a result', () => {
    const failed = PopupReply.parse({ ok: false, error: { code: 'invalid', message: 'no' } });
    expect(failed.ok).toBe(false);
  });
});
