/**
 * Never lose a note, in real Chromium against the real server: a note made
 * while the server is down, and a note whose ack never reached a worker that was
 * stopped, both arrive exactly once.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoteStore } from '../../server/store/note-store.js';
import { POPUP_PATH, type BrowserUser } from './support/browser-user.js';
import type { CollabServer } from './support/collab-server.js';
import { addNote, cards, cardWith, pendingItems } from './support/notes-ui.js';
import { twoUsersOnArticle, type TwoUsers } from './support/two-users.js';

/**
 * Holds the ack of the next note:create back after the store committed it: the real
 * store, delayed, so a test can stop the worker between commit and ack.
 */
class AckGate {
  armed = false;
  committed!: Promise<void>;
  private signal!: () => void;
  private release: (() => void) | null = null;
  private gate!: Promise<void>;

  arm(): void {
    this.armed = true;
    this.committed = new Promise((done) => (this.signal = done));
    this.gate = new Promise((done) => (this.release = done));
  }

  open(): void {
    this.armed = false;
    this.release?.();
  }

  wrap = (store: NoteStore): NoteStore =>
    Object.assign(Object.create(store) as NoteStore, {
      create: async (...args: Parameters<NoteStore['create']>) => {
        const result = await store.create(...args);
        if (this.armed) {
          this.signal();
          await this.gate;
        }
        return result;
      },
    });
}

const gate = new AckGate();
let users: TwoUsers;
let server: CollabServer;
let alice: BrowserUser;
let alicePage: Page;
let bobPage: Page;

declare const chrome: { storage: { local: { get(key: string): Promise<Record<string, unknown>> } } };

async function outboxSize(worker: Worker): Promise<number> {
  return worker.evaluate(async () => {
    const stored = (await chrome.storage.local.get('outbox')).outbox;
    return Array.isArray(stored) ? stored.length : 0;
  });
}

beforeAll(async () => {
  users = await twoUsersOnArticle({ wrapStore: gate.wrap });
  ({ server, alice, alicePage, bobPage } = users);
});

afterAll(async () => {
  gate.open();
  await users?.close();
});

describe('the note outbox', () => {
  it('delivers a note made while the server is down once the server is back, exactly once', async () => {
    await server.stop();
    await addNote(alicePage, '#p2', 'headland', 'Written while the server was down');
    // Shown at once as waiting, and kept in storage.local.
    await pendingItems(alicePage).filter({ hasText: 'Written while the server was down' }).waitFor();
    expect(await outboxSize(await alice.worker())).toBe(1);

    await server.restart();
    const atBob = cardWith(bobPage, 'Written while the server was down');
    await atBob.waitFor();
    await cardWith(alicePage, 'Written while the server was down').waitFor();
    await pendingItems(alicePage).first().waitFor({ state: 'detached' });
    expect(await outboxSize(await alice.worker())).toBe(0);

    // What the server stored, seen fresh: one note.
    await bobPage.reload();
    await cardWith(bobPage, 'Written while the server was down').waitFor();
    expect(await cardWith(bobPage, 'Written while the server was down').count()).toBe(1);
    expect(await cards(bobPage).count()).toBe(1);
  });

  it('delivers a note once when the worker is stopped after the server stored it but before the ack', async () => {
    gate.arm();
    const before = await alice.worker();
    await addNote(alicePage, '#p3', 'almanac', 'Survives a stopped worker');
    await gate.committed;
    expect(await outboxSize(before)).toBe(1);

    // Stop the extension's service worker the way Chrome does when it is idle.
    const tool = await alice.context.newPage();
    await tool.goto(`chrome-extension://${alice.extensionId}/${POPUP_PATH}`);
    const cdp = await tool.context().newCDPSession(tool);
    const running = new Promise<string>((found) =>
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        const ours = versions.find(
          (v) =>
            v.scriptURL.startsWith(`chrome-extension://${alice.extensionId}/`) &&
            v.runningStatus === 'running',
        );
        if (ours) found(ours.versionId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopWorker', { versionId: await running });
    // Playwright does not always report the close; a stopped worker no longer evaluates.
    await expect
      .poll(() => before.evaluate(() => 'alive').catch(() => 'stopped'), { timeout: 20_000 })
      .toBe('stopped');
    await tool.close();
    // The server now acks into a closed connection, and tells Bob.
    gate.open();
    await cardWith(bobPage, 'Survives a stopped worker').waitFor();

    // Alice's tab reconnects its port, which starts a new worker; it resends from the outbox
    // (Playwright does not always attach to a restarted worker, so watch the page instead).
    await cardWith(alicePage, 'Survives a stopped worker').waitFor();
    await pendingItems(alicePage).first().waitFor({ state: 'detached', timeout: 20_000 });

    await bobPage.reload();
    await cardWith(bobPage, 'Survives a stopped worker').waitFor();
    expect(await cardWith(bobPage, 'Survives a stopped worker').count()).toBe(1);
    expect(await cards(bobPage).count()).toBe(2);
  });
});
