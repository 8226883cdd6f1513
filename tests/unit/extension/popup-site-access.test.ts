// @vitest-environment happy-dom
/**
 * The popup's site-access switches (extension/popup/site-access.ts). Browsers let
 * `permissions.request` ask the user only while a click is being handled (Firefox strictly:
 * in the handler's own task), so it must be called before the handler returns, after the
 * worker was told (Chrome may close the popup for its dialog). A "no" switches the choice off
 * again and says why; switching off asks nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChromeApi } from '../../../extension/chrome-api.js';
import type { PopupState, PopupToWorker } from '../../../extension/shared/messages.js';
import { wireSiteAccess } from '../../../extension/popup/site-access.js';

const ORIGIN = 'http://localhost:4173';

let calls: string[];
let answer: boolean;
let errors: string[];
let state: PopupState;
let site: HTMLInputElement;
let allSites: HTMLInputElement;

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  document.body.innerHTML = `<input type="checkbox" id="site" /><p id="site-hint"></p>
    <input type="checkbox" id="all" /><span id="all-label"></span><p id="all-hint"></p><p id="all-note"></p>`;
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
  site = byId<HTMLInputElement>('site');
  allSites = byId<HTMLInputElement>('all');
  calls = [];
  errors = [];
  answer = true;
  state = { origin: ORIGIN, sharing: false, allSites: false } as PopupState;
  const api = {
    hosts: {
      request: async (patterns: string[]) => {
        calls.push(`request ${patterns.join(' ')}`);
        return answer;
      },
    },
  } as unknown as ChromeApi;
  const render = wireSiteAccess(
    api,
    {
      site,
      siteHint: byId('site-hint'),
      allSites,
      allSitesLabel: byId('all-label'),
      allSitesHint: byId('all-hint'),
      allSitesNote: byId('all-note'),
    },
    {
      tabId: () => 7,
      state: () => state,
      ask: async (message: PopupToWorker) => {
        calls.push(`${message.type} ${'enabled' in message ? String(message.enabled) : ''}`);
        return true;
      },
      showError: (message) => errors.push(message),
    },
  );
  render(state);
});

function click(input: HTMLInputElement): void {
  input.checked = !input.checked;
  input.dispatchEvent(new Event('change'));
}

describe('popup site access', () => {
  it('tells the worker, then asks the browser for the site, before the click handler returns', () => {
    click(site);
    expect(calls).toEqual(['popup:set-sharing true', 'request http://localhost/*']);
  });

  it('asks for every http and https site for "all sites"', () => {
    click(allSites);
    expect(calls).toEqual(['popup:set-all-sites true', 'request http://*/* https://*/*']);
  });

  it('switches the site off again and says why when the user says no', async () => {
    answer = false;
    click(site);
    await flush();
    await flush();
    expect(calls).toEqual([
      'popup:set-sharing true',
      'request http://localhost/*',
      'popup:set-sharing false',
    ]);
    expect(errors).toEqual(['Access to this site was not allowed, so nothing is shared here.']);
  });

  it('asks the browser nothing to switch off', () => {
    state = { ...state, sharing: true };
    site.checked = true;
    click(site);
    expect(calls).toEqual(['popup:set-sharing false']);
  });
});
