/**
 * Content script entry, registered at run time for the sites the user granted
 * (background/site-access.ts) and injected into their open tabs. Puts the overlay on the page,
 * connects to the service worker and switches cursor capture, remote cursors and
 * notes on and off with the tab's session. While sharing is off for the site it only
 * listens to its port: no pointer listeners, nothing sent.
 */
import { isPrivateChannel } from '../../protocol/index.js';
import { createChromeApi } from '../chrome-api.js';
import { plural, t } from '../shared/i18n.js';
import type { ServerStateMessage, SessionMessage, WorkerToContent } from '../shared/messages.js';
import { describe } from './anchoring/index.js';
import { CursorCapture } from './cursor-capture.js';
import { browserScheduler } from './frame-throttle.js';
import { IdleTracker } from './idle-tracker.js';
import { documentSize } from './cursor-anchor.js';
import { DRAFT_HIGHLIGHT, Highlighter } from './notes/highlighter.js';
import { downloadCollection } from './notes/download.js';
import { importSummary } from './notes/import-summary.js';
import { NoteComposer } from './notes/note-composer.js';
import { pointSelector } from './notes/note-anchors.js';
import { NotesView } from './notes/notes-view.js';
import { PageKeys } from './notes/page-keys.js';
import { createOverlay } from './overlay.js';
import { PortClient } from './port-client.js';
import { RemoteCursors } from './remote-cursors.js';
import { safeMessage } from './safe-values.js';
import { trusted } from './trusted-events.js';

type ActiveSession = Extract<SessionMessage, { active: true }>;

/** The pill's dot while the server is out of reach: no one's colour. */
const OFFLINE_COLOR = '#8b8d98';

function start(): void {
  // HTML pages only (not SVG or XML documents), and one instance per page.
  if (!(document.documentElement instanceof HTMLHtmlElement) || !document.body) return;
  if (document.documentElement.querySelector(':scope > [data-collab-root]')) return;
  const api = createChromeApi();
  const overlay = createOverlay(document);
  const cursors = new RemoteCursors(overlay.cursors, document);
  const notes = new NotesView(document, overlay, {
    update: (id, version, body) => client.send({ type: 'note:update', id, version, body }),
    delete: (id, version) => client.send({ type: 'note:delete', id, version }),
    reply: (parentId, body) =>
      client.send({ type: 'note:create', anchor: { selectors: [] }, body, parentId }),
    exportNotes: () => client.send({ type: 'notes:export' }),
    importNotes: (collection) => client.send({ type: 'notes:import', collection }),
    toast: (message) => overlay.toast(message),
  });
  let session: ActiveSession | null = null;

  const client = new PortClient(api, window, {
    // Names and colours from the server are checked again here: a hostile server must
    // not reach the overlay's CSS or text.
    message: (message) => handle(safeMessage(message)),
    // The worker restarted: a new session follows; keep tracking the pointer meanwhile.
    lost: () => deactivate(true),
    dead: () => {
      deactivate();
      overlay.remove();
    },
  });
  const capture = new CursorCapture(
    document,
    {
      move: (cursor) => client.send({ type: 'cursor:move', cursor }),
      hide: () => client.send({ type: 'cursor:hide' }),
    },
    browserScheduler(window),
    (element) => element === overlay.host,
  );
  const idle = new IdleTracker(window, (value) => client.send({ type: 'idle', idle: value }));
  // Keys typed into our editors never reach the window's listeners: typing there is activity too.
  overlay.onTyping(() => idle.activity());
  const draft = new Highlighter(document, DRAFT_HIGHLIGHT);
  const composer = new NoteComposer(document, overlay, draft, (target, body, color) => {
    if ('point' in target) {
      const size = documentSize(document);
      const selector = pointSelector(target.point.x / size.width, target.point.y / size.height);
      client.send({ type: 'note:create', anchor: { selectors: [selector] }, body, color });
      return;
    }
    const selectors = describe(target.range, document.body);
    if (selectors.length === 0) {
      overlay.toast(t('toastSelectText'));
      return;
    }
    client.send({ type: 'note:create', anchor: { selectors }, body, color });
  });
  // Where "Add note here" puts the note: the right-click, else the last pointer position.
  let lastPoint: { x: number; y: number } | null = null;
  const remember = trusted((event: MouseEvent) => {
    lastPoint = { x: event.pageX, y: event.pageY };
  });
  document.addEventListener('contextmenu', remember, true);
  document.addEventListener('pointermove', remember, { capture: true, passive: true });

  /** "Add note" from the keyboard or the menu: on the selected words, else at the pointer. */
  function composeNote(): void {
    if (composer.openForSelection()) return;
    const view = document.defaultView;
    const point = lastPoint ?? {
      x: (view?.scrollX ?? 0) + (view?.innerWidth ?? 800) / 2,
      y: (view?.scrollY ?? 0) + (view?.innerHeight ?? 600) / 3,
    };
    composer.openAtPoint(point.x, point.y);
  }
  const keys = new PageKeys(document, { addNote: composeNote, openPanel: () => notes.openPanel() });

  /** How the worker reaches the server for this tab's room (a `server` message); online with a session. */
  let server: ServerStateMessage['state'] = 'online';

  /**
   * The small "sharing is on" pill: room and head count, in the user's colour. While the
   * server cannot be reached it says so instead (a room that looks empty would be a lie), and
   * that notes written meanwhile are kept; the popup says what to do.
   */
  function showIndicator(active: ActiveSession | null): void {
    if (server === 'offline') {
      overlay.setIndicator(t('pillOffline'), OFFLINE_COLOR);
      return;
    }
    if (!active) {
      overlay.setIndicator(null);
      return;
    }
    if (server === 'connecting') {
      overlay.setIndicator(t('pillReconnecting'), OFFLINE_COLOR);
      return;
    }
    const others = active.peers.length;
    const room =
      active.channel === 'public'
        ? t('pillPublicRoom')
        : isPrivateChannel(active.channel)
          ? t('pillPrivateRoom')
          : active.channel;
    const who =
      others === 0 ? t('pillNobodyElse') : plural(others, { one: 'pillOthersOne', other: 'pillOthersOther' });
    overlay.setIndicator(t('pillSharing', room, who), active.self.color);
  }

  function deactivate(keepCapture = false): void {
    session = null;
    server = 'online';
    overlay.setIndicator(null);
    idle.setEnabled(false);
    if (!keepCapture) capture.setEnabled(false);
    composer.setEnabled(false);
    keys.setEnabled(false);
    cursors.clear();
    notes.clear();
    notes.setSelf(null);
  }

  function handle(message: WorkerToContent): void {
    switch (message.type) {
      case 'session':
        if (!message.active) {
          deactivate();
          // Access to the site was removed: the port goes for good and the overlay with it (dead).
          if (message.reason === 'revoked') client.close();
          return;
        }
        if (session && session.room !== message.room) notes.clear();
        session = message;
        server = 'online';
        notes.setSelf(message.self.id);
        cursors.setPeers(message.peers);
        showIndicator(message);
        idle.setEnabled(true);
        capture.setEnabled(true);
        capture.resend();
        composer.setEnabled(true);
        keys.setEnabled(true);
        return;
      case 'server':
        server = message.state;
        showIndicator(session);
        return;
      case 'peers':
        if (session?.room !== message.room) return;
        session = { ...session, peers: message.peers };
        cursors.setPeers(message.peers);
        showIndicator(session);
        return;
      case 'cursors':
        if (session?.room === message.room) cursors.apply(message.cursors);
        return;
      case 'notes':
        if (session?.room === message.room) notes.setAll(message.notes);
        return;
      case 'note:upsert':
        if (session?.room === message.room) notes.upsert(message.note);
        return;
      case 'note:removed':
        if (session?.room === message.room) notes.remove(message.id);
        return;
      case 'note:error':
        overlay.toast(message.message);
        return;
      case 'notes:pending':
        if (session?.room === message.room) notes.setPending(message.ops);
        return;
      case 'note:conflict':
        if (session?.room === message.room) notes.conflict(message.id, message.mine, message.theirs);
        return;
      case 'notes:exported':
        downloadCollection(document, overlay, message.collection);
        return;
      case 'notes:imported':
        overlay.toast(importSummary(message));
        return;
      case 'note:compose-point':
        composeNote();
        return;
    }
  }

  let resizeFrame: number | null = null;
  window.addEventListener('resize', () => {
    if (resizeFrame !== null) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = null;
      cursors.relayout();
      notes.scheduleLayout();
    });
  });

  client.start();
}

start();
