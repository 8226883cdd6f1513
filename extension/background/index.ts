/**
 * Service worker entry (manifest `background.service_worker`). Wires the browser
 * events to the relay and the popup API. Listeners are added synchronously at the
 * top level so a worker woken by an event still receives it.
 */
import { createChromeApi } from '../chrome-api.js';
import type { StateChangedMessage } from '../shared/messages.js';
import { PopupApi } from './popup-api.js';
import { Relay } from './relay.js';
import { SettingsStore } from './settings.js';

const api = createChromeApi();
const settings = new SettingsStore(api);

let notifyTimer: ReturnType<typeof setTimeout> | null = null;
/** Tells open popups to ask again; coalesced so a burst of presence events is one message. */
function notifyPopups(): void {
  if (notifyTimer !== null) return;
  notifyTimer = setTimeout(() => {
    notifyTimer = null;
    // No popup open is the common case; sendMessage then rejects and that is fine.
    api.sendMessage({ type: 'state:changed' } satisfies StateChangedMessage).catch(() => undefined);
  }, 50);
}

const relay = new Relay(api, settings, notifyPopups);
const popup = new PopupApi(api, settings, relay);

api.onConnect((port) => relay.handlePort(port));
api.onMessage((message) => popup.handle(message));
api.onTabRemoved((tabId) => relay.removeTab(tabId));
api.onAddNoteHere((tabId) => relay.composePoint(tabId));

void settings.load();
void relay.state.restore();
// Notes a previous worker instance could not deliver go out now (issue 4).
void relay.resumeOutbox();
