// @vitest-environment happy-dom
/**
 * Only the user's own input acts: events a page script makes (`isTrusted`
 * false) reach no handler that acts. Here: the helper itself, pointer capture (a script
 * cannot move or hide the user's cursor for the others) and select-to-note (a synthetic
 * mouseup after a scripted selection offers no "Add note" button). The e2e test
 * hostile-page.test.ts shows the same for every button and key in real Chromium, where
 * real input is trusted.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CursorCapture } from '../../../extension/content/cursor-capture.js';
import type { FrameScheduler } from '../../../extension/content/frame-throttle.js';
import { DRAFT_HIGHLIGHT, Highlighter } from '../../../extension/content/notes/highlighter.js';
import { NoteComposer } from '../../../extension/content/notes/note-composer.js';
import { createOverlay, type Overlay } from '../../../extension/content/overlay.js';
import { trusted } from '../../../extension/content/trusted-events.js';

/** Runs frames and timers at once: anything the capture would send, it sends now. */
const immediate: FrameScheduler = {
  requestFrame: (callback) => callback(0),
  setTimer: (callback) => {
    callback();
    return 0;
  },
  clearTimer: () => undefined,
  now: () => 0,
};

let overlay: Overlay;

beforeEach(() => {
  document.body.innerHTML = '<p id="p">The keeper wrote in the ledger every night.</p>';
  overlay = createOverlay(document);
});

afterEach(() => {
  overlay.remove();
  vi.useRealTimers();
});

describe('trusted', () => {
  it('calls the handler for trusted events only', () => {
    const seen: string[] = [];
    const handler = trusted((event: Event) => seen.push(event.type));
    handler(new Event('click'));
    handler({ type: 'keydown', isTrusted: true } as Event);
    expect(seen).toEqual(['keydown']);
  });
});

describe('a page script’s synthetic events', () => {
  it('neither move nor hide the user’s cursor', () => {
    const moves: unknown[] = [];
    let hides = 0;
    const capture = new CursorCapture(
      document,
      { move: (cursor) => moves.push(cursor), hide: () => hides++ },
      immediate,
      () => false,
    );
    capture.setEnabled(true);
    const p = document.getElementById('p')!;
    p.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, clientX: 10, clientY: 10 }));
    document.dispatchEvent(new PointerEvent('pointerout', { bubbles: true, relatedTarget: null }));
    window.dispatchEvent(new Event('pagehide'));
    expect(moves).toEqual([]);
    expect(hides).toBe(0);
    capture.setEnabled(false);
  });

  it('offer no "Add note" button after a scripted selection and mouseup', () => {
    vi.useFakeTimers();
    const saved: string[] = [];
    const composer = new NoteComposer(
      document,
      overlay,
      new Highlighter(document, DRAFT_HIGHLIGHT),
      (_, body) => saved.push(body),
    );
    composer.setEnabled(true);
    const text = document.getElementById('p')!.firstChild!;
    const range = document.createRange();
    range.setStart(text, 4);
    range.setEnd(text, 10);
    document.getSelection()!.removeAllRanges();
    document.getSelection()!.addRange(range);
    const p = document.getElementById('p')!;
    p.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, button: 0 }));
    p.dispatchEvent(new MouseEvent('mouseup', { bubbles: true, button: 0 }));
    vi.runAllTimers();
    expect(overlay.shadow.querySelector('[data-collab-add-note]')).toBeNull();
    expect(saved).toEqual([]);
    composer.setEnabled(false);
  });
});
