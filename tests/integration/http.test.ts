// The plain HTTP side: /healthz follows the store, everything else is 404.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(() => server.dispose());

it('answers /healthz with 200 while the store answers', async () => {
  const res = await fetch(server.url + '/healthz');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, store: 'ok' });
});

it('answers /healthz with 503 once the store is gone', async () => {
  await server.store.close();
  const res = await fetch(server.url + '/healthz');
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ ok: false, store: 'unreachable' });
});

it('answers 404 for other paths and methods', async () => {
  expect((await fetch(server.url + '/')).status).toBe(404);
  expect((await fetch(server.url + '/healthz', { method: 'POST' })).status).toBe(404);
});
