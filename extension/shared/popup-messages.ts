/**
 * Messages between the popup and the service worker, over `runtime.sendMessage`: one zod
 * schema per message and a discriminated union on `type` per direction. Each side parses
 * what it receives.
 */
import { z } from 'zod';
import { Color, Name, LIMITS, Peer, resultSchema, RoomId, RoomSummary } from '../../protocol/index.js';

// ---------------------------------------------------------------------------
// Popup -> service worker (runtime.sendMessage), answered with a Result<PopupState>

const TabId = z.number().int().min(0);

/** The server URL the user typed: http(s) or ws(s). */
export const ServerUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    try {
      return ['http:', 'https:', 'ws:', 'wss:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'expected an http(s) or ws(s) URL');

/** Asks for the state of one tab. */
export const PopupGetState = z.object({ type: z.literal('popup:get-state'), tabId: TabId });

/**
 * Turns sharing on or off for the origin of the tab (joins/leaves all its tabs at once). On:
 * the popup has already asked the user for the site (permissions.request, from the click).
 */
export const PopupSetSharing = z.object({
  type: z.literal('popup:set-sharing'),
  tabId: TabId,
  enabled: z.boolean(),
});

/** Changes the user's display name and/or colour. */
export const PopupSetProfile = z.object({
  type: z.literal('popup:set-profile'),
  tabId: TabId,
  name: Name.optional(),
  color: Color.optional(),
});

/** Changes the server URL; the worker reconnects. */
export const PopupSetServer = z.object({
  type: z.literal('popup:set-server'),
  tabId: TabId,
  serverUrl: ServerUrl,
});

/** Moves the tab to another public or named room of its page (`public` for the page's own). */
export const PopupSwitchRoom = z.object({
  type: z.literal('popup:switch-room'),
  tabId: TabId,
  channel: z.string().trim().min(1).max(LIMITS.channel),
});

/** Asks the server for a new private room on the tab's page and moves the tab into it. */
export const PopupCreatePrivate = z.object({ type: z.literal('popup:create-private'), tabId: TabId });

/** Moves the tab into a private room by its invite code. */
export const PopupJoinInvite = z.object({
  type: z.literal('popup:join-invite'),
  tabId: TabId,
  code: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.channel + LIMITS.key + 1),
});

/** Pauses (or resumes) all sharing, on every site, in one click. */
export const PopupSetPaused = z.object({
  type: z.literal('popup:set-paused'),
  tabId: TabId,
  paused: z.boolean(),
});

/**
 * Turns sharing on or off on every http(s) site. On: the popup has already asked the user
 * for the http/https wildcards; off: the worker gives them back.
 */
export const PopupSetAllSites = z.object({
  type: z.literal('popup:set-all-sites'),
  tabId: TabId,
  enabled: z.boolean(),
});

/** Everything the popup may send. */
export const PopupToWorker = z.discriminatedUnion('type', [
  PopupGetState,
  PopupSetSharing,
  PopupSetProfile,
  PopupSetServer,
  PopupSwitchRoom,
  PopupCreatePrivate,
  PopupJoinInvite,
  PopupSetPaused,
  PopupSetAllSites,
]);
export type PopupToWorker = z.infer<typeof PopupToWorker>;

/** How the tab is connected, as the popup's `#status` shows it. */
export const PopupStatus = z.enum([
  /** The tab is in its room. */
  'connected',
  /** Joining or (re)connecting. */
  'connecting',
  /** The server cannot be reached; the worker keeps retrying. */
  'offline',
  /** Sharing is not on for this site. */
  'off',
  /** Sharing is on but the browser has not (yet) granted the site: the user is being asked. */
  'access',
  /** Not an http(s) page. */
  'unsupported',
  /** All sharing is paused. */
  'paused',
  /** Sharing is on but the page has no content script yet (opened before install): reload. */
  'reload',
]);
export type PopupStatus = z.infer<typeof PopupStatus>;

/** What the popup shows for one tab. */
export const PopupState = z.object({
  tabId: TabId,
  /** Origin of the tab's page, null when it is not an http(s) page. */
  origin: z.string().nullable(),
  /** True when sharing is on for the origin: in the user's enabled sites, or all sites. */
  sharing: z.boolean(),
  status: PopupStatus,
  /** Why the tab could not enter its room or read its notes (while the server is reachable). */
  error: z.string().nullable(),
  /** The tab's room, once joined. `invite` is the code of a private room this browser holds. */
  room: z
    .object({
      id: RoomId,
      channel: z.string(),
      page: z.string(),
      private: z.boolean(),
      invite: z.string().nullable(),
    })
    .nullable(),
  /** The other public and named rooms open on this page, with head counts (`room:list`). */
  rooms: z.array(RoomSummary),
  /** All sharing paused. */
  paused: z.boolean(),
  /** Sharing on every http(s) site ("all sites"). */
  allSites: z.boolean(),
  /** The worker's one connection to the server. */
  connection: z.enum(['idle', 'connecting', 'connected', 'offline']),
  /**
   * The transport while connected: `polling` when WebSocket was refused on the way (a proxy
   * or firewall) and the connection fell back to HTTP long-polling (issue 15).
   */
  transport: z.enum(['websocket', 'polling']).nullable(),
  /**
   * Why the connection is `offline`: nothing answered at the URL, or the server refused the
   * handshake and said why. The popup puts it in words and says what to do.
   */
  connectionProblem: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('unreachable') }),
      z.object({ kind: z.literal('refused'), code: z.string(), message: z.string() }),
    ])
    .nullable(),
  self: Peer.nullable(),
  /** Everyone else in the room. */
  peers: z.array(Peer),
  name: z.string(),
  color: Color,
  serverUrl: z.string(),
  /** Colours the user can pick from. */
  palette: z.array(Color),
});
export type PopupState = z.infer<typeof PopupState>;

/** The worker's answer to every popup message. */
export const PopupReply = resultSchema(PopupState);
export type PopupReply = z.infer<typeof PopupReply>;

// ---------------------------------------------------------------------------
// Service worker -> popup (runtime.sendMessage broadcast)

/** Something the popup shows changed; it asks again with `popup:get-state`. */
export const StateChangedMessage = z.object({ type: z.literal('state:changed') });
export type StateChangedMessage = z.infer<typeof StateChangedMessage>;
