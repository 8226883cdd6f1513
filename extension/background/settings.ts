/**
 * User settings and the browser profile's identity, kept in `storage.local`.
 * Both are created with defaults on first use and parsed on every read, because
 * storage is written by older versions too.
 */
import { t } from '../shared/i18n.js';
import { z } from 'zod';
import { Auth, Color, Name } from '../../protocol/index.js';
import type { ChromeApi } from '../chrome-api.js';
import { randomId } from './random-id.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

/** Colours a user can pick; distinct on white and dark pages. */
export const PALETTE = [
  '#e5484d',
  '#f76b15',
  '#d6a100',
  '#30a46c',
  '#0d9b8a',
  '#0090ff',
  '#6e56cf',
  '#d6409f',
] as const;

/** What the user chose. */
export const Settings = z.object({
  serverUrl: z.string().min(1),
  name: Name,
  color: Color,
  /** Origins (`https://example.com`) where sharing is on. Nothing is sent for any other. */
  enabledSites: z.array(z.string()),
  /** All sharing paused, on every site, until the user resumes it. */
  paused: z.boolean().default(false),
  /** Sharing on every http(s) site ("all sites" in the popup, with the wildcard grant). */
  allSites: z.boolean().default(false),
});
export type Settings = z.infer<typeof Settings>;

/** Proof of who this browser profile is, made once. */
export const Identity = Auth.pick({ clientId: true, secret: true });
export type Identity = z.infer<typeof Identity>;

const SETTINGS_KEY = 'settings';
const IDENTITY_KEY = 'identity';

export function defaultSettings(random: () => number = Math.random): Settings {
  const digits = String(1000 + Math.floor(random() * 9000));
  const color = PALETTE[Math.floor(random() * PALETTE.length)] ?? PALETTE[0];
  return {
    serverUrl: DEFAULT_SERVER_URL,
    name: t('defaultName', digits),
    color,
    enabledSites: [],
    paused: false,
    allSites: false,
  };
}

/** Reads and writes settings; keeps a parsed copy so hot paths never await storage. */
export class SettingsStore {
  private settings: Settings | null = null;
  private identity: Identity | null = null;

  constructor(private readonly api: ChromeApi) {}

  /** Loads (creating defaults on first run) and returns the settings. */
  async load(): Promise<Settings> {
    if (this.settings) return this.settings;
    const stored = await this.api.storageLocal.get([SETTINGS_KEY, IDENTITY_KEY]);
    const parsedSettings = Settings.safeParse(stored[SETTINGS_KEY]);
    const parsedIdentity = Identity.safeParse(stored[IDENTITY_KEY]);
    const writes: Record<string, unknown> = {};
    if (parsedSettings.success) {
      this.settings = parsedSettings.data;
    } else {
      this.settings = { ...defaultSettings(), ...partialSettings(stored[SETTINGS_KEY]) };
      writes[SETTINGS_KEY] = this.settings;
    }
    if (parsedIdentity.success) {
      this.identity = parsedIdentity.data;
    } else {
      this.identity = { clientId: randomId(16), secret: randomId(32) };
      writes[IDENTITY_KEY] = this.identity;
    }
    if (Object.keys(writes).length > 0) await this.api.storageLocal.set(writes);
    return this.settings;
  }

  async update(patch: Partial<Settings>): Promise<Settings> {
    const next = Settings.parse({ ...(await this.load()), ...patch });
    this.settings = next;
    await this.api.storageLocal.set({ [SETTINGS_KEY]: next });
    return next;
  }

  /** Handshake `auth` for both namespaces. */
  async auth(): Promise<Auth> {
    const settings = await this.load();
    const identity = this.identity ?? { clientId: randomId(16), secret: randomId(32) };
    return { ...identity, name: settings.name, color: settings.color };
  }

  async setEnabled(origin: string, enabled: boolean): Promise<Settings> {
    const sites = (await this.load()).enabledSites.filter((site) => site !== origin);
    return this.update({ enabledSites: enabled ? [...sites, origin] : sites });
  }
}

/** True when sharing is on for the origin: switched on for it, or for all sites. */
export function sharesOn(settings: Settings, origin: string | null): boolean {
  return origin !== null && (settings.allSites || settings.enabledSites.includes(origin));
}

/** Keeps whichever stored fields are still valid when the whole record is not. */
function partialSettings(stored: unknown): Partial<Settings> {
  const result = Settings.partial().safeParse(stored);
  if (result.success) return result.data;
  return {};
}
