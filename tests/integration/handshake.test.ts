// Handshake auth on both namespaces: malformed auth, a clientId's secret and origins (peer ids: peer-ids.test.ts).
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handshakeError, makeAuth, refusedMessage, TRANSPORTS, useTransport } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// The same refusals over long-polling, the fallback where WebSocket is blocked (issue 15).
describe.each(TRANSPORTS)('over %s', (transport) => {
  beforeEach(() => useTransport(transport));
  afterEach(() => useTransport('websocket'));

  describe('handshake', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer();
    });
    afterEach(() => server.dispose());

    it.each([
      ['no auth at all', {}, 'clientId'],
      ['a short clientId', makeAuth({ clientId: 'short' }), 'clientId'],
      ['a short secret', makeAuth({ secret: 'tiny' }), 'secret'],
      ['a colour that is not #rrggbb', makeAuth({ color: 'red' }), 'color'],
      ['an empty name', makeAuth({ name: '   ' }), 'name'],
    ])('refuses %s with code invalid', async (_label, auth, field) => {
      for (const namespace of ['/rooms', '/notes']) {
        const error = await handshakeError(server.url, namespace, auth);
        expect(error.message).toBe('invalid');
        expect(error.data).toEqual({ code: 'invalid', message: expect.stringContaining(field) });
      }
    });

    it('keeps the first secret of a clientId and refuses another on every namespace', async () => {
      const auth = makeAuth();
      await server.rooms(auth);
      const impostor = { ...auth, secret: 'another-secret-of-enough-length' };
      for (const namespace of ['/rooms', '/notes']) {
        const error = await handshakeError(server.url, namespace, impostor);
        expect(error.message).toBe('forbidden');
        expect(error.data).toEqual({ code: 'forbidden', message: expect.any(String) });
      }
      // The rightful owner still gets in, on the other namespace too.
      await expect(server.notes(auth)).resolves.toBeTruthy();
    });

    it('stores only the sha256 of the secret, never the secret itself', async () => {
      const auth = makeAuth();
      await server.notes(auth);
      const stored = await server.store.getSecretHash(auth.clientId as string);
      expect(stored).toBe(
        createHash('sha256')
          .update(auth.secret as string)
          .digest('hex'),
      );
      expect(stored).not.toContain(auth.secret as string);
    });

    it('keeps no copy of the secret on the open socket', async () => {
      const auth = makeAuth();
      await server.rooms(auth);
      await server.notes(auth);
      const sockets = ['/rooms', '/notes'].flatMap((name) => [...server.app.io.of(name).sockets.values()]);
      expect(sockets).toHaveLength(2);
      for (const socket of sockets) {
        expect(JSON.stringify(socket.handshake)).not.toContain(auth.secret as string);
        expect(socket.data).toEqual({
          clientId: auth.clientId,
          name: auth.name,
          color: auth.color,
        });
      }
    });
  });

  describe('new clientIds per address', () => {
    let server: TestServer;
    afterEach(() => server.dispose());

    it('admits MAX_CONNECTIONS_PER_IP new clientIds from an address at once, then refuses more; known ones still get in', async () => {
      server = await startTestServer({ env: { MAX_CONNECTIONS_PER_IP: '5' } });
      const known = makeAuth();
      const first = await server.rooms(known);
      for (let i = 1; i < 5; i++) (await server.notes()).close();
      const newcomer = makeAuth();
      const refused = await handshakeError(server.url, '/notes', newcomer);
      expect(refused.data).toEqual({ code: 'rate_limited', message: expect.any(String) });
      // Nothing was stored for it; reconnecting is not a new identity.
      expect(await server.store.getSecretHash(newcomer.clientId as string)).toBeNull();
      first.close();
      await expect(server.notes(known)).resolves.toBeTruthy();
    });
  });

  describe('handshake with ALLOWED_ORIGINS', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({ env: { ALLOWED_ORIGINS: 'chrome-extension://abcdef' } });
    });
    afterEach(() => server.dispose());

    it('accepts a listed origin and refuses another', async () => {
      const listed = handshakeError(server.url, '/rooms', makeAuth(), {
        origin: 'chrome-extension://abcdef',
      });
      await expect(listed).rejects.toThrow('the handshake was accepted');
      const other = await handshakeError(server.url, '/rooms', makeAuth(), {
        origin: 'https://evil.example',
      });
      // allowRequest refuses the WebSocket upgrade (or the polling handshake) itself, before any Socket.IO packet.
      expect(other.message).toBe(refusedMessage());
    });
  });

  describe('handshake with a failing store', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startTestServer({
        wrapStore: (store) =>
          Object.assign(Object.create(store) as typeof store, {
            getSecretHash: () => Promise.reject(new Error('database is locked')),
          }),
      });
    });
    afterEach(() => server.dispose());

    it('refuses with code unavailable instead of letting anyone in', async () => {
      const error = await handshakeError(server.url, '/rooms', makeAuth());
      expect(error.data).toEqual({ code: 'unavailable', message: expect.any(String) });
    });
  });
});
