/**
 * What the worker says while the server cannot be reached, at the browser seam: the popup
 * gets the reason (nothing answers, or the server refused and why) instead of a transport's
 * `websocket error`, and the tabs in a room are told the server is offline, so their pill
 * never shows an empty room that is really a lost connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PopupApi } from '../../../extension/background/popup-api.js';
import { SettingsStore } from '../../../extension/background/settings.js';
import { createWorker, type BackgroundWorker } from '../../../extension/background/worker.js';
import type { ChromeApi } from '../../../extension/chrome-api.js';
import type { WorkerToContent } from '../../../extension/shared/messages.js';
import { ask, makeAuth } from '../../support/clients.js';
import {
  fakeChromeApi,
  FakeBrowserAccess,
  FakeTab,
  isActive,
  TEST_FILES,
} from '../../support/fake-extension.js';
import { until } from '../../support/wait.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';

const ORIGIN = 'http://localhost:4173';
const PAGE = `${ORIGIN}/article.html`;
const RECONNECT_MS = 15_000;

type ServerState = Extract<WorkerToContent, { type: 'server' }>;
const serverState =
  (state: ServerState['state']) =>
  (m: WorkerToContent): m is ServerState =>
    m.type === 'server' && m.state === state;

let server: TestServer | null = null;
let worker: BackgroundWorker | null = null;
const tabs: FakeTab[] = [];

afterEach(async () => {
  for (const tab of tabs.splice(0)) tab.close();
  worker?.connection.close();
  worker = null;
  await server?.dispose();
  server = null;
});

async function start(api: ChromeApi, serverUrl: string): Promise<{ tab: FakeTab; popup: PopupApi }> {
  const settings = new SettingsStore(api);
  await settings.update({ serverUrl, name: 'Tester', enabledSites: [ORIGIN] });
  worker = createWorker(api, settings, () => undefined, TEST_FILES);
  const tab = new FakeTab(1, PAGE);
  tabs.push(tab);
  worker.tabs.handlePort(tab);
  tab.send({ type: 'hello', url: PAGE });
  return { tab, popup: new PopupApi(api, settings, worker) };
}

/** A loopback address where nothing listens (a server's port, closed again). */
async function deadAddress(): Promise<{ url: string; port: string }> {
  const probe = await startTestServer();
  await probe.dispose();
  return { url: probe.url, port: new URL(probe.url).port };
}

describe('the worker while the server cannot be reached', () => {
  it('tells the popup nothing answers at that address, and the tab that it is offline; then joins once it is up', async () => {
    const dead = await deadAddress();
    const { tab, popup } = await start(fakeChromeApi(new Map([[1, PAGE]])), dead.url);
    await tab.next(serverState('offline'), 0, RECONNECT_MS);

    const state = await popup.stateFor(1);
    expect(state).toMatchObject({
      status: 'offline',
      connection: 'offline',
      connectionProblem: { kind: 'unreachable' },
      transport: null,
      // No raw transport error anywhere in what the popup shows.
      error: null,
    });
    expect(JSON.stringify(state)).not.toContain('websocket error');

    server = await startTestServer({ env: { PORT: dead.port } });
    await tab.next(isActive, 0, RECONNECT_MS);
    // WebSocket, tried first, works here: no fallback to mention (issue 15).
    expect(await popup.stateFor(1)).toMatchObject({ connectionProblem: null, transport: 'websocket' });
  }, 30_000);

  it('tells a tab that was in its room when the connection drops, instead of an empty room', async () => {
    server = await startTestServer();
    const { port } = new URL(server.url);
    const { tab } = await start(fakeChromeApi(new Map([[1, PAGE]])), server.url);
    await tab.next(isActive);
    const mark = tab.received.length;
    await server.stop();
    await tab.next(serverState('connecting'), mark);
    await tab.next(serverState('offline'), mark, RECONNECT_MS);

    server = await startTestServer({ ...server.sameData(), env: { PORT: port } });
    await tab.next(isActive, mark, RECONNECT_MS);
  }, 40_000);

  it('gives the server’s reason when it refuses the handshake', async () => {
    server = await startTestServer();
    // Someone else holds this clientId with another secret.
    const clientId = 'taken-client-id';
    const holder = await server.rooms(makeAuth({ clientId }));
    expect(await ask(holder, 'room:list', { page: PAGE })).toMatchObject({ ok: true });
    const api = fakeChromeApi(new Map([[1, PAGE]]));
    await api.storageLocal.set({ identity: { clientId, secret: 'not-the-secret-the-server-knows' } });

    const { tab, popup } = await start(api, server.url);
    await tab.next(serverState('offline'), 0, RECONNECT_MS);
    expect((await popup.stateFor(1)).connectionProblem).toEqual({
      kind: 'refused',
      code: 'forbidden',
      message: 'this clientId is registered with another secret',
    });
  }, 30_000);

  it('keeps a wake alarm while a note waits for the server, and drops it once the note is stored', async () => {
    const dead = await deadAddress();
    const access = new FakeBrowserAccess(['http://*/*', 'https://*/*']);
    const { tab } = await start(fakeChromeApi(new Map([[1, PAGE]]), access), dead.url);
    await tab.next(serverState('offline'), 0, RECONNECT_MS);
    expect(access.wakeAlarm).toBe(false);

    const anchor = { selectors: [{ type: 'TextQuoteSelector' as const, exact: 'headland', prefix: 'the ' }] };
    tab.send({ type: 'note:create', anchor, body: 'written offline' });
    // A stopped worker would otherwise sleep until a page of the site or the popup woke it.
    await until(async () => access.wakeAlarm, 5_000, 'wake alarm on while the note waits');

    server = await startTestServer({ env: { PORT: dead.port } });
    await until(async () => !access.wakeAlarm, 2 * RECONNECT_MS, 'wake alarm off once the outbox is empty');
    const bodies = tab.received.flatMap((m) =>
      m.type === 'notes' ? m.notes.map((note) => note.body) : m.type === 'note:upsert' ? [m.note.body] : [],
    );
    expect(bodies).toContain('written offline');
  }, 60_000);
});
