/**
 * Popup: connection status, the tab's room and who is in it, the "share on this site"
 * switch, name and colour, and the server URL. It works on the active tab, or on the
 * tab given as `?tab=<id>` (so a test can drive it from a normal tab). State comes from
 * the service worker (`popup:get-state`) and is fetched again on `state:changed`.
 */
import { Name } from '../../protocol/index.js';
import { createChromeApi } from '../chrome-api.js';
import {
  PopupReply,
  ServerUrl,
  StateChangedMessage,
  type PopupState,
  type PopupStatus,
  type PopupToWorker,
} from '../shared/messages.js';

const STATUS_TEXT: Record<PopupStatus, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline',
  off: 'Off for this site',
  unsupported: 'Not available on this page',
  reload: 'Reload the page to start',
};

const api = createChromeApi();

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`popup markup lacks #${id}`);
  return element as T;
}

const ui = {
  status: byId<HTMLElement>('status'),
  toggle: byId<HTMLInputElement>('sharing-toggle'),
  toggleLabel: byId<HTMLElement>('sharing-label'),
  room: byId<HTMLElement>('room'),
  peers: byId<HTMLUListElement>('peers'),
  name: byId<HTMLInputElement>('name'),
  color: byId<HTMLElement>('color'),
  serverUrl: byId<HTMLInputElement>('server-url'),
  serverSave: byId<HTMLButtonElement>('server-save'),
  error: byId<HTMLElement>('error'),
};

let tabId: number | null = null;
let current: PopupState | null = null;

/** The tab from `?tab=`, else the active tab of this window. */
async function resolveTabId(): Promise<number | null> {
  const param = new URLSearchParams(location.search).get('tab');
  if (param !== null && /^\d+$/.test(param)) return Number(param);
  const [tab] = await api.queryTabs({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

function showError(message: string | null): void {
  ui.error.textContent = message ?? '';
  ui.error.hidden = !message;
}

/** Sends one request to the worker and renders the state it answers with. */
async function ask(message: PopupToWorker): Promise<void> {
  let reply: PopupReply;
  try {
    const parsed = PopupReply.safeParse(await api.sendMessage(message));
    if (!parsed.success) throw new Error('malformed answer');
    reply = parsed.data;
  } catch {
    showError('The extension did not answer; try again.');
    return;
  }
  if (!reply.ok) {
    showError(reply.error.message);
    return;
  }
  render(reply.value);
}

function refresh(): Promise<void> {
  return tabId === null ? Promise.resolve() : ask({ type: 'popup:get-state', tabId });
}

function dot(color: string): HTMLElement {
  const element = document.createElement('span');
  element.className = 'dot';
  element.style.backgroundColor = color;
  return element;
}

function render(state: PopupState): void {
  current = state;
  showError(state.error);
  ui.status.textContent = STATUS_TEXT[state.status];
  ui.status.dataset.status = state.status;

  ui.toggle.disabled = state.origin === null;
  ui.toggle.checked = state.sharing;
  ui.toggleLabel.textContent = state.origin
    ? `Share on ${state.origin}`
    : 'Sharing works on http(s) pages only';

  if (state.room) {
    const channel = document.createElement('span');
    channel.className = 'channel';
    channel.textContent = state.room.channel;
    const page = document.createElement('span');
    page.className = 'page';
    page.textContent = ` · ${state.room.page}`;
    ui.room.replaceChildren(channel, page);
  } else {
    ui.room.textContent = state.sharing ? 'Not in a room yet' : 'Not in a room';
  }

  const items: HTMLLIElement[] = [];
  const people = state.self ? [{ peer: state.self, you: true }] : [];
  for (const peer of state.peers) people.push({ peer, you: false });
  for (const { peer, you } of people) {
    const item = document.createElement('li');
    item.setAttribute('data-peer-id', peer.id);
    const name = document.createElement('span');
    name.textContent = peer.name;
    item.append(dot(peer.color), name);
    if (you) {
      const mark = document.createElement('span');
      mark.className = 'you';
      mark.textContent = '(you)';
      item.append(mark);
    }
    items.push(item);
  }
  if (items.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'empty';
    empty.textContent = 'Nobody yet';
    items.push(empty);
  }
  ui.peers.replaceChildren(...items);

  if (document.activeElement !== ui.name) ui.name.value = state.name;
  if (document.activeElement !== ui.serverUrl) ui.serverUrl.value = state.serverUrl;
  renderSwatches(state);
}

function renderSwatches(state: PopupState): void {
  const swatches = state.palette.map((color) => {
    const swatch = document.createElement('button');
    swatch.type = 'button';
    swatch.className = 'swatch';
    swatch.setAttribute('role', 'radio');
    swatch.setAttribute('aria-label', color);
    swatch.setAttribute('aria-checked', String(color === state.color));
    swatch.dataset.color = color;
    swatch.style.backgroundColor = color;
    return swatch;
  });
  ui.color.replaceChildren(...swatches);
}

ui.toggle.addEventListener('change', () => {
  if (tabId === null) return;
  ui.toggle.disabled = true;
  void ask({ type: 'popup:set-sharing', tabId, enabled: ui.toggle.checked }).finally(() => {
    ui.toggle.disabled = current?.origin == null;
  });
});

function saveName(): void {
  const parsed = Name.safeParse(ui.name.value);
  if (!parsed.success || tabId === null) {
    showError('A name has 1 to 40 characters.');
    return;
  }
  if (parsed.data === current?.name) return;
  void ask({ type: 'popup:set-profile', tabId, name: parsed.data });
}
ui.name.addEventListener('change', saveName);
ui.name.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') saveName();
});

ui.color.addEventListener('click', (event) => {
  const target = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('.swatch') : null;
  const color = target?.dataset.color;
  if (!color || tabId === null) return;
  void ask({ type: 'popup:set-profile', tabId, color });
});

function saveServer(): void {
  const parsed = ServerUrl.safeParse(ui.serverUrl.value);
  if (!parsed.success || tabId === null) {
    showError('Enter a server URL such as http://127.0.0.1:8080');
    return;
  }
  void ask({ type: 'popup:set-server', tabId, serverUrl: parsed.data });
}
ui.serverSave.addEventListener('click', saveServer);
ui.serverUrl.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') saveServer();
});

api.onMessage((message) => {
  if (StateChangedMessage.safeParse(message).success) void refresh();
  return undefined;
});

void resolveTabId().then((id) => {
  tabId = id;
  if (id === null) {
    showError('No tab to show.');
    return;
  }
  return refresh();
});
