/**
 * The popup's half of site access. The browser asks the user for a site (or for all sites)
 * only during a click, so the switches' change handlers tell the worker first and then call
 * `permissions.request` in the same task, before any await. Chrome may close the popup for its
 * dialog, so nothing here depends on the answer: the worker shares from when the grant
 * arrives. An answer the popup does see that says no switches the choice off again.
 */
import type { ChromeApi } from '../chrome-api.js';
import { t } from '../shared/i18n.js';
import type { PopupState, PopupToWorker } from '../shared/messages.js';
import { ALL_SITES, sitePattern } from '../shared/site-patterns.js';

export interface SiteAccessControls {
  /** "Share on <site>". */
  site: HTMLInputElement;
  /** What sharing on a site means; the all-sites note replaces it while "all sites" is on. */
  siteHint: HTMLElement;
  /** "Share on all sites", its label, and the note shown while it is on. */
  allSites: HTMLInputElement;
  allSitesLabel: HTMLElement;
  allSitesHint: HTMLElement;
  allSitesNote: HTMLElement;
}

export interface SiteAccessDeps {
  tabId(): number | null;
  state(): PopupState | null;
  /** Sends a change to the worker and renders its answer; true when it was done. */
  ask(message: PopupToWorker): Promise<boolean>;
  showError(message: string): void;
}

/** Wires both switches; returns the part of `render` that concerns them. */
export function wireSiteAccess(
  api: ChromeApi,
  ui: SiteAccessControls,
  deps: SiteAccessDeps,
): (state: PopupState) => void {
  ui.allSitesLabel.textContent = t('allSitesLabel');
  ui.allSitesHint.textContent = t('allSitesHint');
  ui.allSitesNote.textContent = t('sharingAllSites');

  const render = (state: PopupState): void => {
    // The switch as the user set it: while the browser is still asking, the status says so.
    ui.site.checked = state.sharing;
    ui.site.disabled = state.origin === null || state.allSites;
    ui.allSites.checked = state.allSites;
    ui.allSites.disabled = false;
    ui.allSitesNote.hidden = !state.allSites;
    ui.siteHint.hidden = state.allSites;
  };

  /** Switched on: tell the worker, then ask the browser, in this task; a "no" undoes it. */
  const change = (
    input: HTMLInputElement,
    patterns: () => string[] | null,
    message: (tabId: number, enabled: boolean) => PopupToWorker,
  ): void => {
    input.addEventListener('change', () => {
      const tabId = deps.tabId();
      const wanted = patterns();
      if (tabId === null || wanted === null) return;
      const enabled = input.checked;
      input.disabled = true;
      const done = deps.ask(message(tabId, enabled));
      if (enabled) {
        const granted = api.hosts.request(wanted).catch(() => false);
        void granted.then(async (yes) => {
          if (yes) return;
          await done;
          await deps.ask(message(tabId, false));
          deps.showError(t('siteAccessDenied'));
        });
      }
      void done.finally(() => {
        const state = deps.state();
        if (state) render(state);
        else input.disabled = false;
      });
    });
  };

  change(
    ui.site,
    () => {
      const origin = deps.state()?.origin;
      return origin ? [sitePattern(origin)] : null;
    },
    (tabId, enabled) => ({ type: 'popup:set-sharing', tabId, enabled }),
  );
  change(
    ui.allSites,
    () => [...ALL_SITES],
    (tabId, enabled) => ({ type: 'popup:set-all-sites', tabId, enabled }),
  );
  return render;
}
