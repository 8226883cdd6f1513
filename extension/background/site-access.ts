/**
 * Where our content scripts may run: exactly the sites the user granted. The manifest asks
 * for no host at install (`optional_host_permissions`); the popup requests a site's pattern
 * from the user's click (or the http/https wildcards for "all sites"), and the browser's own
 * settings for the extension can grant or remove them too. Here the grants
 * (`permissions.getAll`) become two registered content scripts (the key shield at
 * document_start, the overlay at document_idle, as the manifest had them) whose `matches`
 * are the granted patterns; a site granted while its tabs are open gets the scripts in those
 * tabs at once, and "Add note here" shows on granted sites only.
 */
import type { ChromeApi, RegisteredScript } from '../chrome-api.js';
import { covers, coversAllSites } from '../shared/site-patterns.js';

/** The content scripts' files in the build (content-files.ts). */
export interface ContentFiles {
  /** document_start: the key shield must come before any script of the page. */
  keyShield: string;
  /** document_idle: the overlay, its port and everything it shows. */
  overlay: string;
}

/** Stable ids: a restarted worker or an updated extension finds and replaces its own. */
export const SCRIPT_IDS = { keyShield: 'copresence-key-shield', overlay: 'copresence-overlay' } as const;

/**
 * `unknown`: not yet read from the browser (a new worker); `synced`: the registered scripts
 * match `patterns`, the grants as last read. The last synced patterns are mirrored to
 * `storage.session`, so a worker woken by `permissions.onAdded` still knows which sites are new.
 */
type AccessState = { kind: 'unknown' } | { kind: 'synced'; patterns: string[] };

const SESSION_KEY = 'siteAccess';

/** The grants after a sync, and those that were there before it and are gone. */
export interface GrantChange {
  patterns: readonly string[];
  removed: readonly string[];
}

/** Only http(s) patterns are ours to use; anything else the browser reports is ignored. */
const isPagePattern = (pattern: string) => /^(\*|https?):\/\//.test(pattern) || pattern === '<all_urls>';

export class SiteAccess {
  private state: AccessState = { kind: 'unknown' };
  /** One sync at a time: onAdded and the popup's own message often arrive together. */
  private queue: Promise<unknown> = Promise.resolve();
  private first: Promise<void> | null = null;

  constructor(
    private readonly api: ChromeApi,
    private readonly files: ContentFiles,
  ) {}

  /** The granted patterns as last synced (empty before the first sync). */
  get patterns(): readonly string[] {
    return this.state.kind === 'synced' ? this.state.patterns : [];
  }

  /** Settles once the grants were read (the first sync); whoever asks {@link allows} waits for it. */
  ready(): Promise<void> {
    if (this.first === null) void this.sync();
    return this.first ?? Promise.resolve();
  }

  /** True when the page at `url` (or an origin) is on a granted site. */
  allows(url: string): boolean {
    return covers(this.patterns, url);
  }

  /** True when every http(s) site is granted ("all sites"). */
  allowsAllSites(): boolean {
    return coversAllSites(this.patterns);
  }

  /**
   * Reads the grants and makes the registered scripts match them. Tabs of a site granted since
   * the last sync get the scripts now; on the first sync of a worker nothing is injected (the
   * tabs of sites granted before kept theirs). Resolves with what changed.
   */
  sync(): Promise<GrantChange> {
    const run = this.queue.then(() => this.apply());
    this.queue = run.catch(() => undefined);
    this.first ??= run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async apply(): Promise<GrantChange> {
    const before = this.state.kind === 'synced' ? this.state.patterns : await this.lastSynced();
    const patterns = [...new Set((await this.api.hosts.granted()).filter(isPagePattern))].sort();
    await this.register(patterns);
    this.state = { kind: 'synced', patterns };
    await this.api.storageSession.set({ [SESSION_KEY]: patterns });
    await this.api.showAddNoteHereOn(patterns);
    // Without a record (browser start, new install) every open tab loaded under the grants it has.
    if (before !== null) await this.injectNew(before, patterns);
    return { patterns, removed: (before ?? []).filter((pattern) => !patterns.includes(pattern)) };
  }

  /** The patterns a previous worker of this browser session synced, or null. */
  private async lastSynced(): Promise<string[] | null> {
    const stored = (await this.api.storageSession.get(SESSION_KEY))[SESSION_KEY];
    return Array.isArray(stored) ? stored.filter((item): item is string => typeof item === 'string') : null;
  }

  /** Registers, updates or unregisters our two scripts so they match `patterns`; drops any other. */
  private async register(patterns: string[]): Promise<void> {
    const wanted: RegisteredScript[] =
      patterns.length === 0
        ? []
        : [
            {
              id: SCRIPT_IDS.keyShield,
              js: [this.files.keyShield],
              matches: patterns,
              runAt: 'document_start',
            },
            { id: SCRIPT_IDS.overlay, js: [this.files.overlay], matches: patterns, runAt: 'document_idle' },
          ];
    const registered = await this.api.scripts.registered();
    const stale = registered.filter((script) => !wanted.some((want) => want.id === script.id));
    if (stale.length > 0) await this.api.scripts.unregister(stale.map((script) => script.id));
    const missing = wanted.filter((want) => !registered.some((script) => script.id === want.id));
    const changed = wanted.filter((want) => {
      const now = registered.find((script) => script.id === want.id);
      return now !== undefined && !sameScript(now, want);
    });
    if (missing.length > 0) await this.api.scripts.register(missing);
    if (changed.length > 0) await this.api.scripts.update(changed);
  }

  /** Injects both scripts, in their order, into the open tabs that only `after` covers. */
  private async injectNew(before: readonly string[], after: string[]): Promise<void> {
    const added = after.filter((pattern) => !before.includes(pattern));
    if (added.length === 0) return;
    const tabs = await this.api.queryTabs({ url: added });
    await Promise.all(
      tabs.map(async ({ id, url }) => {
        if (id === undefined || url === undefined || covers(before, url) || !covers(after, url)) return;
        try {
          await this.api.scripts.inject(id, this.files.keyShield);
          await this.api.scripts.inject(id, this.files.overlay);
        } catch {
          // A page the browser keeps scripts out of (an error page, the web store): skipped.
        }
      }),
    );
  }
}

function sameScript(a: RegisteredScript, b: RegisteredScript): boolean {
  const same = (x: string[], y: string[]) =>
    x.length === y.length && [...x].sort().join() === [...y].sort().join();
  return a.runAt === b.runAt && same(a.js, b.js) && same(a.matches, b.matches);
}
