/**
 * The setting most e2e tests start from: a real server, the test pages served locally,
 * and Alice and Bob in their own Chromium profiles, both on article.html with sharing on.
 */
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchUser, type BrowserUser } from './browser-user.js';
import { startCollabServer, type CollabServer, type CollabServerOptions } from './collab-server.js';
import { joinWithPopup } from './notes-ui.js';
import { serveDirectory, type StaticServer } from './static-server.js';

export interface TwoUsers {
  server: CollabServer;
  pages: StaticServer;
  alice: BrowserUser;
  bob: BrowserUser;
  alicePage: Page;
  bobPage: Page;
  /** Closes both browsers, the page server and the collaboration server. */
  close(): Promise<void>;
}

export interface TwoUsersOptions extends CollabServerOptions {
  /** Alice's way to the server (e.g. through a link the test can cut); the server's URL by default. */
  aliceServerUrl?: (serverUrl: string) => Promise<string>;
  /** More Chromium switches for Alice's browser (e.g. `--enable-caret-browsing`). */
  aliceArgs?: readonly string[];
}

export async function twoUsersOnArticle(options: TwoUsersOptions = {}): Promise<TwoUsers> {
  const server = await startCollabServer(options);
  const pages = await serveDirectory(resolve(import.meta.dirname, '../pages'));
  const [alice, bob] = await Promise.all([
    launchUser('alice', undefined, { args: options.aliceArgs }),
    launchUser('bob'),
  ]);
  const alicePage = await alice.context.newPage();
  const bobPage = await bob.context.newPage();
  await Promise.all([alicePage.goto(`${pages.url}/article.html`), bobPage.goto(`${pages.url}/article.html`)]);
  await joinWithPopup(alice, alicePage, (await options.aliceServerUrl?.(server.url)) ?? server.url, 'Alice');
  await joinWithPopup(bob, bobPage, server.url, 'Bob');
  return {
    server,
    pages,
    alice,
    bob,
    alicePage,
    bobPage,
    close: async () => {
      await Promise.all([alice.close(), bob.close()]);
      await pages.close();
      await server.dispose();
    },
  };
}
