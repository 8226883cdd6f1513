/**
 * Popup: connection status, the tab's room and who is in it, the "share on this site"
 * switch, name and colour, and the server URL (both saved as they are typed). It works on the active tab, or on the
 * tab given as `?tab=<id>` (so a test can drive it from a normal tab). State comes from
 * the service worker (`popup:get-state`) and is fetched again on `state:changed`.
 */
import { Name } from '../../protocol/index.js';
import { createChromeApi } from '../chrome-api.js';
import { formatNumber, t } from '../shared/i18n.js';
import { autosave, parseWith } from './autosave.js';
import { localizePage } from './localize-page.js';
import { colorName } from './palette-names.js';
import { connectionText, statusText } from './status-text.js';
import { radioKeys, renderRadios } from './radio-keys.js';
import { wireSiteAccess } from './site-access.js';
import {
  PopupReply,
  ServerUrl,
  StateChangedMessage,
  type PopupState,
  type PopupToWorker,
} from '../shared/messages.js';

const api = createChromeApi();
localizePage(document);

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
    showError(t('popupNoAnswer'));
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
  ui.status.textContent = statusText(state);
  ui.status.dataset.status = state.status;

  renderAccess(state);
  ui.toggleLabel.textContent = state.origin ? t('popupShareOn', state.origin) : t('popupSharingHttpOnly');

  ui.pause.textContent = t(state.paused ? 'popupResume' : 'popupPauseAll');
  ui.pause.setAttribute('aria-pressed', String(state.paused));
  ui.pause.title = t(state.paused ? 'popupResumeTitle' : 'popupPauseTitle');
  ui.connection.textContent = connectionText(state);
  ui.connection.dataset.connection = state.connection;
  ui.connection.dataset.transport = state.transport ?? '';

  if (state.room) {
    const channel = document.createElement('span');
    channel.className = 'channel';
    channel.textContent = state.room.private
      ? t('popupPrivateRoom')
      : state.room.channel === 'public'
        ? t('popupPublicChannel')
        : state.room.channel;
    const page = document.createElement('span');
    page.className = 'page';
    page.textContent = ` · ${state.room.page}`;
    ui.room.replaceChildren(channel, page);
  } else {
    ui.room.textContent = t(
      !state.sharing
        ? 'popupNotInRoom'
        : state.status === 'offline'
          ? 'popupNotInRoomWaiting'
          : 'popupNotInRoomYet',
    );
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
      mark.textContent = t('popupYou');
      item.append(mark);
    }
    const activity = document.createElement('span');
    activity.className = 'state';
    activity.textContent = t(peer.idle ? 'popupIdle' : 'popupActive');
    item.append(activity);
    items.push(item);
  }
  if (items.length === 0) {
    const empty = document.createElement('li');
    empty.className = 'empty';
    empty.textContent = t('popupNobodyYet');
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
          ? t('popupPrivateRoom')
          : room.channel === 'public'
            ? t('popupPublicRoom')
            : room.channel;
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = t('popupHereCount', formatNumber(room.count));
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
    swatch.setAttribute('aria-label', colorName(color));
    swatch.title = colorName(color);
    swatch.setAttribute('aria-checked', String(color === state.color));
    swatch.dataset.color = color;
    swatch.style.backgroundColor = color;
    return swatch;
  });
  renderRadios(ui.color, () => ui.color.replaceChildren(...swatches));
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
  parse: parseWith(Name, t('popupNameInvalid')),
  saved: () => current?.name,
  save: (name) => (tabId === null ? Promise.resolve(false) : ask({ type: 'popup:set-profile', tabId, name })),
});

radioKeys(ui.color);
ui.color.addEventListener('click', (event) => {
  const target = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('.swatch') : null;
  const color = target?.dataset.color;
  if (!color || tabId === null) return;
  void ask({ type: 'popup:set-profile', tabId, color });
});

autosave({
  input: ui.serverUrl,
  hint: ui.serverHint,
  parse: parseWith(ServerUrl, t('popupServerInvalid')),
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
    ui.inviteCopy.textContent = t('popupCopied');
    setTimeout(() => (ui.inviteCopy.textContent = t('popupCopy')), 1500);
  };
  navigator.clipboard.writeText(code).then(done, () => {
    // No clipboard permission: select the code so Ctrl+C copies it.
    ui.inviteCode.select();
    showError(t('popupPressCtrlC'));
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
    showError(t('popupNoTab'));
    return;
  }
  return refresh();
});
