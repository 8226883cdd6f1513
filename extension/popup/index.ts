/**
 * Popup: connection status, the tab's room and who is in it, the "share on this site"
 * switch, name and colour, and the server URL (both saved as they are typed). It works on the active tab, or on the
 * tab given as `?tab=<id>` (so a test can drive it from a normal tab). State comes from
 * the service worker (`popup:get-state`) and is fetched again on `state:changed`.
 */
import { Name } from '../../protocol/index.js';
import { createChromeApi } from '../chrome-api.js';
import { t } from '../shared/i18n.js';
import { autosave, parseWith } from './autosave.js';
import { wireSiteAccess } from './site-access.js';
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
  access: t('statusAccess'),
  unsupported: 'Not available on this page',
  reload: 'Reload the page to start',
  paused: 'Paused',
};

const CONNECTION_TEXT: Record<PopupState['connection'], string> = {
  idle: 'Not connected: nothing is shared right now.',
  connecting: 'Connecting to the server…',
  connected: 'Connected to the server.',
  offline: 'Cannot reach the server.',
};

/** The server's host and port as the user typed them, for sentences. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/**
 * Why the server cannot be reached and what to do, in words: a transport error such as
 * `websocket error` only means nothing answered at that address.
 */
function connectionText(state: PopupState): string {
  const problem = state.connectionProblem;
  if (state.connection !== 'offline' || !problem) return CONNECTION_TEXT[state.connection];
  if (problem.kind === 'refused') {
    return (
      `The server at ${hostOf(state.serverUrl)} refused the connection: ${problem.message}. ` +
      'Retrying; notes you add meanwhile are kept.'
    );
  }
  return (
    `Cannot reach the server at ${hostOf(state.serverUrl)}. Check that it is running and that ` +
    'the address above is right (a server on another machine needs HOST=0.0.0.0). ' +
    'Retrying every few seconds; notes you add meanwhile are kept and sent once it answers.'
  );
}

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
  nameHint: byId<HTMLElement>('name-hint'),
  serverUrl: byId<HTMLInputElement>('server-url'),
  serverHint: byId<HTMLElement>('server-hint'),
  error: byId<HTMLElement>('error'),
  pause: byId<HTMLButtonElement>('pause'),
  invite: byId<HTMLElement>('invite'),
  inviteCode: byId<HTMLInputElement>('invite-code'),
  inviteCopy: byId<HTMLButtonElement>('invite-copy'),
  switcher: byId<HTMLElement>('switcher'),
  rooms: byId<HTMLUListElement>('rooms'),
  roomName: byId<HTMLInputElement>('room-name'),
  roomGo: byId<HTMLButtonElement>('room-go'),
  inviteInput: byId<HTMLInputElement>('invite-input'),
  inviteJoin: byId<HTMLButtonElement>('invite-join'),
  privateCreate: byId<HTMLButtonElement>('private-create'),
  connection: byId<HTMLElement>('connection'),
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

// A state read that was asked before a change, or answered while one is in flight, is
// stale: rendering it would flip a switch the user just turned back for a moment.
let changesAsked = 0;
let changesPending = 0;

/** Sends one request to the worker and renders the state it answers with; true when it was done. */
async function ask(message: PopupToWorker): Promise<boolean> {
  const isRead = message.type === 'popup:get-state';
  const askedAfter = isRead ? changesAsked : ++changesAsked;
  if (!isRead) changesPending += 1;
  let reply: PopupReply;
  try {
    const parsed = PopupReply.safeParse(await api.sendMessage(message));
    if (!parsed.success) throw new Error('malformed answer');
    reply = parsed.data;
  } catch {
    showError('The extension did not answer; try again.');
    return false;
  } finally {
    if (!isRead) changesPending -= 1;
  }
  if (isRead && (askedAfter !== changesAsked || changesPending > 0)) return false;
  if (!reply.ok) {
    showError(reply.error.message);
    return false;
  }
  render(reply.value);
  return true;
}

function refresh(): Promise<boolean> {
  return tabId === null ? Promise.resolve(false) : ask({ type: 'popup:get-state', tabId });
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

  renderAccess(state);
  ui.toggleLabel.textContent = state.origin
    ? `Share on ${state.origin}`
    : 'Sharing works on http(s) pages only';

  ui.pause.textContent = state.paused ? 'Resume' : 'Pause all';
  ui.pause.setAttribute('aria-pressed', String(state.paused));
  ui.pause.title = state.paused ? 'Resume sharing' : 'Pause all sharing, on every site';
  ui.connection.textContent = connectionText(state);
  ui.connection.dataset.connection = state.connection;

  if (state.room) {
    const channel = document.createElement('span');
    channel.className = 'channel';
    channel.textContent = state.room.private ? 'Private room' : state.room.channel;
    const page = document.createElement('span');
    page.className = 'page';
    page.textContent = ` · ${state.room.page}`;
    ui.room.replaceChildren(channel, page);
  } else {
    ui.room.textContent = !state.sharing
      ? 'Not in a room'
      : state.status === 'offline'
        ? 'Not in a room: waiting for the server'
        : 'Not in a room yet';
  }

  ui.invite.hidden = !state.room?.invite;
  ui.inviteCode.value = state.room?.invite ?? '';
  renderRooms(state);

  const items: HTMLLIElement[] = [];
  const people = state.self ? [{ peer: state.self, you: true }] : [];
  for (const peer of state.peers) people.push({ peer, you: false });
  for (const { peer, you } of people) {
    const item = document.createElement('li');
    item.setAttribute('data-peer-id', peer.id);
    item.dataset.idle = String(peer.idle);
    item.classList.toggle('idle', peer.idle);
    const name = document.createElement('span');
    name.textContent = peer.name;
    item.append(dot(peer.color), name);
    if (you) {
      const mark = document.createElement('span');
      mark.className = 'you';
      mark.textContent = '(you)';
      item.append(mark);
    }
    const activity = document.createElement('span');
    activity.className = 'state';
    activity.textContent = peer.idle ? 'idle' : 'active';
    item.append(activity);
    items.push(item);
  }
  if (items.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'empty';
    empty.textContent = 'Nobody yet';
    items.push(empty);
  }
  ui.peers.replaceChildren(...items);

  // A field being typed in, or holding text that cannot be saved (its hint says why), keeps it.
  const settled = (input: HTMLInputElement) =>
    document.activeElement !== input && input.getAttribute('aria-invalid') !== 'true';
  if (settled(ui.name)) ui.name.value = state.name;
  if (settled(ui.serverUrl)) ui.serverUrl.value = state.serverUrl;
  renderSwatches(state);
}

/** The page's public and named rooms with head counts; a click switches this tab to one. */
function renderRooms(state: PopupState): void {
  ui.switcher.hidden = !state.room;
  const current = state.room?.channel;
  const rooms = [...state.rooms];
  // The room we are in is listed even when it is private (never in room:list) or not yet counted.
  if (state.room && !rooms.some((room) => room.channel === current)) {
    rooms.unshift({ channel: state.room.channel, room: state.room.id, count: state.peers.length + 1 });
  }
  ui.rooms.replaceChildren(
    ...rooms.map((room) => {
      const item = document.createElement('li');
      item.dataset.channel = room.channel;
      item.setAttribute('aria-current', String(room.channel === current));
      const button = document.createElement('button');
      button.type = 'button';
      const name = document.createElement('span');
      name.textContent =
        room.channel === current && state.room?.private
          ? 'Private room'
          : room.channel === 'public'
            ? 'Public (everyone on this page)'
            : room.channel;
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = `${room.count} here`;
      button.append(name, count);
      item.append(button);
      return item;
    }),
  );
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

const renderAccess = wireSiteAccess(
  api,
  {
    site: ui.toggle,
    siteHint: byId<HTMLElement>('sharing-hint'),
    allSites: byId<HTMLInputElement>('all-sites-toggle'),
    allSitesLabel: byId<HTMLElement>('all-sites-label'),
    allSitesHint: byId<HTMLElement>('all-sites-hint'),
    allSitesNote: byId<HTMLElement>('all-sites-note'),
  },
  { tabId: () => tabId, state: () => current, ask, showError },
);

// Name and server URL save as the user types (autosave.ts): the toolbar popup closes on
// click-away, before any Enter or blur.
autosave({
  input: ui.name,
  hint: ui.nameHint,
  parse: parseWith(Name, 'A name has 1 to 40 characters, one of them visible.'),
  saved: () => current?.name,
  save: (name) => (tabId === null ? Promise.resolve(false) : ask({ type: 'popup:set-profile', tabId, name })),
});

ui.color.addEventListener('click', (event) => {
  const target = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('.swatch') : null;
  const color = target?.dataset.color;
  if (!color || tabId === null) return;
  void ask({ type: 'popup:set-profile', tabId, color });
});

autosave({
  input: ui.serverUrl,
  hint: ui.serverHint,
  parse: parseWith(
    ServerUrl,
    'Enter the server’s address, such as http://127.0.0.1:8080; until then the last one saved is used.',
  ),
  saved: () => current?.serverUrl,
  save: (serverUrl) =>
    tabId === null ? Promise.resolve(false) : ask({ type: 'popup:set-server', tabId, serverUrl }),
});

ui.pause.addEventListener('click', () => {
  if (tabId === null) return;
  void ask({ type: 'popup:set-paused', tabId, paused: !current?.paused });
});

ui.rooms.addEventListener('click', (event) => {
  const item = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('li') : null;
  const channel = item?.dataset.channel;
  if (!channel || tabId === null || channel === current?.room?.channel) return;
  void ask({ type: 'popup:switch-room', tabId, channel });
});

function joinNamed(): void {
  const channel = ui.roomName.value.trim();
  if (!channel || tabId === null) return;
  void ask({ type: 'popup:switch-room', tabId, channel }).then(() => {
    ui.roomName.value = '';
  });
}
ui.roomGo.addEventListener('click', joinNamed);
ui.roomName.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') joinNamed();
});

function joinInvite(): void {
  const code = ui.inviteInput.value.trim();
  if (!code || tabId === null) return;
  void ask({ type: 'popup:join-invite', tabId, code }).then((joined) => {
    if (joined) ui.inviteInput.value = '';
  });
}
ui.inviteJoin.addEventListener('click', joinInvite);
ui.inviteInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') joinInvite();
});

ui.privateCreate.addEventListener('click', () => {
  if (tabId === null) return;
  ui.privateCreate.disabled = true;
  void ask({ type: 'popup:create-private', tabId }).finally(() => {
    ui.privateCreate.disabled = false;
  });
});

ui.inviteCopy.addEventListener('click', () => {
  const code = ui.inviteCode.value;
  const done = () => {
    ui.inviteCopy.textContent = 'Copied';
    setTimeout(() => (ui.inviteCopy.textContent = 'Copy'), 1500);
  };
  navigator.clipboard.writeText(code).then(done, () => {
    // No clipboard permission: select the code so Ctrl+C copies it.
    ui.inviteCode.select();
    showError('Press Ctrl+C to copy the selected code.');
  });
});

/**
 * Head counts of the page's other rooms change without any event reaching this worker
 * (nobody we share a room with moved), so an open popup asks again every few seconds.
 */
const ROOM_LIST_REFRESH_MS = 2_000;
setInterval(() => {
  if (current?.room && document.visibilityState === 'visible') void refresh();
}, ROOM_LIST_REFRESH_MS);

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
