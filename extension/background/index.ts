/**
 * Service worker entry (manifest `background.service_worker`). Wires the browser
 * events to the worker's parts (worker.ts) and the popup API. Listeners are added
 * synchronously at the top level so a worker woken by an event still receives it.
 */
import { createChromeApi } from '../chrome-api.js';
import type { StateChangedMessage } from '../shared/messages.js';
import { CONTENT_FILES } from './content-files.js';
import { PopupApi } from './popup-api.js';
import { SettingsStore } from './settings.js';
import { createWorker } from './worker.js';

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

const worker = createWorker(api, settings, notifyPopups, CONTENT_FILES);
const popup = new PopupApi(api, settings, worker);

api.onConnect((port) => worker.tabs.handlePort(port));
api.onMessage((message) => popup.handle(message));
api.onTabRemoved((tabId) => worker.tabs.tabClosed(tabId));
api.onAddNoteHere((tabId) => worker.tabs.composePoint(tabId));
// Granted or removed by the popup or in the browser's settings for the extension.
api.hosts.onAdded(() => void worker.grantsChanged());
api.hosts.onRemoved(() => void worker.grantsChanged());
// An update renames the built scripts: this wakes the worker, whose start() registers the new
// files before any page of a granted site needs them.
api.onInstalled(() => undefined);
// Notes wait for the server with no page of a shared site open: the alarm wakes a stopped
// worker, whose start() sends them.
api.onWakeAlarm(() => undefined);

// Notes a previous worker instance could not deliver go out now.
void worker.start();
