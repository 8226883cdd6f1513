/** Popup steps the presence e2e tests share: point a user at the server, name them, turn sharing on. */
import type { Page } from 'playwright-core';
import type { BrowserUser } from './browser-user.js';

/**
 * Opens the popup for `page`, sets server and name, turns sharing on and waits until connected.
 * The switch requests the site from the browser (answered yes without a dialog: browser-user.ts
 * pre-approves sites), which injects our scripts into the open page.
 */
export async function shareWithPopup(
  user: BrowserUser,
  page: Page,
  serverUrl: string,
  name: string,
): Promise<Page> {
  const popup = await user.openPopup(page);
  // Both fields save as they are typed; Enter saves without waiting for the pause.
  await popup.locator('#server-url').fill(serverUrl);
  await popup.locator('#server-url').press('Enter');
  await popup.locator('#name').fill(name);
  await popup.locator('#name').press('Enter');
  await popup.locator('#sharing-toggle').check();
  // By state, not words: the popup may be in any language.
  await popup.locator('#status[data-status="connected"]').waitFor();
  await popup.locator('#peers li').filter({ hasText: name }).waitFor();
  return popup;
}

/**
 * Stops the extension's service worker the way Chrome does when it idles: CDP
 * `Target.closeTarget` on its `service_worker` target. Resolves once it is gone.
 */
export async function terminateWorker(user: BrowserUser, page: Page): Promise<void> {
  const cdp = await user.context.newCDPSession(page);
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as {
      targetInfos: Array<{ targetId: string; type: string; url: string }>;
    };
    const worker = targetInfos.find(
      (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${user.extensionId}/`),
    );
    if (!worker) throw new Error('no extension service worker target');
    const { success } = (await cdp.send('Target.closeTarget', { targetId: worker.targetId })) as {
      success: boolean;
    };
    if (!success) throw new Error('Target.closeTarget refused');
  } finally {
    await cdp.detach();
  }
}
