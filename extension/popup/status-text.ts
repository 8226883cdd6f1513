/**
 * The popup's two status texts from the worker's state: the short one in the header
 * (the tab's state) and the sentence under the server URL (the connection: why it cannot
 * reach the server and what to do, or that it fell back to HTTP long-polling).
 */
import { t, type MessageKey } from '../shared/i18n.js';
import type { PopupState, PopupStatus } from '../shared/messages.js';
import { serverErrorText } from '../shared/server-errors.js';

const STATUS_TEXT: Record<PopupStatus, MessageKey> = {
  connected: 'statusConnected',
  connecting: 'statusConnecting',
  offline: 'statusOffline',
  off: 'statusOff',
  access: 'statusAccess',
  unsupported: 'statusUnsupported',
  reload: 'statusReload',
  paused: 'statusPaused',
};

const CONNECTION_TEXT: Record<PopupState['connection'], MessageKey> = {
  idle: 'connectionIdle',
  connecting: 'connectionConnecting',
  connected: 'connectionConnected',
  offline: 'connectionOffline',
};

/** The server's host and port as the user typed them, for sentences. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

/**
 * Why the server cannot be reached and what to do, in words: a transport error such as
 * `websocket error` only means nothing answered at that address.
 */
export function connectionText(state: PopupState): string {
  // WebSocket refused on the way: say so; everything else works the same (issue 15).
  if (state.transport === 'polling' && state.connection === 'connected') return t('connectedPolling');
  const problem = state.connectionProblem;
  if (state.connection !== 'offline' || !problem) return t(CONNECTION_TEXT[state.connection]);
  if (problem.kind === 'refused') {
    return t('connectionRefused', hostOf(state.serverUrl), serverErrorText(problem));
  }
  return t('connectionUnreachable', hostOf(state.serverUrl));
}

/** The header's status: the tab's state, and the transport when it fell back to polling. */
export function statusText(state: PopupState): string {
  const polling = state.transport === 'polling' && state.status === 'connected';
  return polling ? t('statusConnectedPolling') : t(STATUS_TEXT[state.status]);
}
