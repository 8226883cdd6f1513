// @vitest-environment happy-dom
/**
 * RemoteCursors with a hand-driven clock and animation frames: a cursor glides between
 * updates (intermediate positions are drawn) and reaches each target no later than one
 * update interval after it arrived; idle peers are drawn dimmed; names are written in the
 * ink that reads on the peer's colour.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Peer } from '../../../protocol/index.js';
import { createOverlay, type Overlay } from '../../../extension/content/overlay.js';
import { MAX_GLIDE_MS, RemoteCursors } from '../../../extension/content/remote-cursors.js';

const WIDTH = 1000;
const HEIGHT = 2000;
const ALICE: Peer = { id: 'alice', name: 'Alice', color: '#aa0000', idle: false };

let clock = 0;
let frames: FrameRequestCallback[] = [];
let overlay: Overlay;
let cursors: RemoteCursors;

/** Runs the pending animation frames at time `t`, like the browser's next frame would. */
function frame(t: number): void {
  clock = t;
  for (const callback of frames.splice(0)) callback(t);
}

/** Where the cursor is drawn, from its transform (document coordinates). */
function drawnAt(peerId = ALICE.id): { x: number; y: number } {
  const element = overlay.cursors.querySelector<HTMLElement>(`[data-peer-id="${peerId}"]`);
  const match = /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(element?.style.transform ?? '');
  if (!match) throw new Error(`no cursor drawn for ${peerId}`);
  return { x: Number(match[1]), y: Number(match[2]) };
}

/** One update from the server arriving at time `t`, at document fraction (fx, fy). */
function arrive(t: number, fx: number, fy: number): void {
  clock = t;
  cursors.apply([{ peerId: ALICE.id, cursor: { x: fx, y: fy } }]);
}

beforeEach(() => {
  clock = 0;
  frames = [];
  // happy-dom does no layout: a 1000 x 2000 page, all of it in the viewport.
  const root = document.documentElement;
  for (const [key, value] of Object.entries({
    scrollWidth: WIDTH,
    scrollHeight: HEIGHT,
    clientWidth: WIDTH,
    clientHeight: HEIGHT,
  })) {
    Object.defineProperty(root, key, { configurable: true, get: () => value });
  }
  window.performance.now = () => clock;
  window.requestAnimationFrame = (callback) => frames.push(callback);
  overlay = createOverlay(document);
  cursors = new RemoteCursors(overlay.cursors, document);
  cursors.setPeers([ALICE]);
});

afterEach(() => {
  overlay.remove();
});

describe('RemoteCursors glide', () => {
  it('draws the first position at once, then glides to the next one within the update interval', () => {
    arrive(1000, 0.1, 0.1);
    expect(drawnAt()).toEqual({ x: 100, y: 200 });
    expect(frames).toHaveLength(0);

    // 30 Hz: the next update comes 33 ms later; the glide starts where the cursor is.
    arrive(1033, 0.4, 0.2);
    expect(drawnAt()).toEqual({ x: 100, y: 200 });
    const seen: Array<{ x: number; y: number }> = [];
    for (const t of [1041, 1049, 1057]) {
      expect(frames).toHaveLength(1);
      frame(t);
      seen.push(drawnAt());
    }
    // Intermediate points, on the way and in order: not a jump.
    for (const [i, point] of seen.entries()) {
      const previous = seen[i - 1] ?? { x: 100, y: 200 };
      expect(point.x).toBeGreaterThan(previous.x);
      expect(point.y).toBeGreaterThan(previous.y);
      expect(point.x).toBeLessThan(400);
    }
    expect(seen[1]!.x).toBeCloseTo(100 + 300 * (16 / 33), -1);
    // One interval (33 ms) after it arrived, the cursor is on the target and stops animating.
    frame(1066);
    expect(drawnAt()).toEqual({ x: 400, y: 400 });
    expect(frames).toHaveLength(0);
  });

  it('never glides longer than one sender interval after a pause', () => {
    arrive(1000, 0.1, 0.1);
    arrive(6000, 0.5, 0.1);
    frame(6000 + MAX_GLIDE_MS / 2);
    expect(drawnAt().x).toBeCloseTo(300, -1);
    // Smoothing adds at most one 30 Hz sender interval of lag.
    expect(MAX_GLIDE_MS).toBeLessThanOrEqual(Math.ceil(1000 / 30));
    frame(6000 + MAX_GLIDE_MS);
    expect(drawnAt()).toEqual({ x: 500, y: 200 });
    expect(frames).toHaveLength(0);
  });

  it('retargets from where it is drawn when an update comes mid-glide, and still lands within the interval', () => {
    arrive(1000, 0.1, 0.1);
    arrive(1033, 0.4, 0.1);
    frame(1049);
    const mid = drawnAt().x;
    expect(mid).toBeGreaterThan(100);
    expect(mid).toBeLessThan(400);
    // Faster than 30 Hz: 20 ms later.
    arrive(1053, 0.7, 0.1);
    expect(drawnAt().x).toBe(mid);
    frame(1063);
    expect(drawnAt().x).toBeGreaterThan(mid);
    expect(drawnAt().x).toBeLessThan(700);
    frame(1073);
    expect(drawnAt()).toEqual({ x: 700, y: 200 });
  });
});

describe('RemoteCursors frame clock', () => {
  it('never draws a cursor behind where it was when the frame began before the update arrived', () => {
    arrive(1000, 0.1, 0.1);
    arrive(6000, 0.5, 0.1); // glides from x 100 to 500
    // The browser runs the frame at 6008, but its timestamp is when the frame began: 5990.
    clock = 6008;
    for (const callback of frames.splice(0)) callback(5990);
    const x = drawnAt().x;
    expect(x).toBeGreaterThan(100);
    expect(x).toBeLessThan(500);
    // 8 ms into the glide: measured on the clock the glide started on.
    expect(x).toBeCloseTo(100 + 400 * (8 / MAX_GLIDE_MS), -1);
  });
});

describe('RemoteCursors idle', () => {
  it('dims an idle peer and shows it plainly again when it is active', () => {
    arrive(1000, 0.1, 0.1);
    const element = overlay.cursors.querySelector<HTMLElement>('[data-peer-id="alice"]')!;
    const opacity = () => Number(getComputedStyle(element).opacity || '1');
    expect(element.classList.contains('idle')).toBe(false);
    expect(opacity()).toBe(1);

    cursors.setPeers([{ ...ALICE, idle: true }]);
    expect(element.classList.contains('idle')).toBe(true);
    expect(element.getAttribute('data-idle')).toBe('true');
    expect(opacity()).toBeLessThan(1);

    cursors.setPeers([ALICE]);
    expect(element.classList.contains('idle')).toBe(false);
    expect(opacity()).toBe(1);
  });
});

describe('RemoteCursors label', () => {
  it('writes the name in black or white, whichever reads on the peer colour, and changes with it', () => {
    arrive(1000, 0.1, 0.1);
    const label = overlay.cursors.querySelector<HTMLElement>('[data-peer-id="alice"] .label')!;
    const ink = () => label.style.getPropertyValue('--label-ink');
    cursors.setPeers([{ ...ALICE, color: '#0090ff' }]);
    expect(ink()).toBe('#000000');
    cursors.setPeers([{ ...ALICE, color: '#6e56cf' }]);
    expect(ink()).toBe('#ffffff');
    expect(label.style.backgroundColor).not.toBe('');
  });
});
