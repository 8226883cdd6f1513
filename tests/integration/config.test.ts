// loadConfig: defaults, parsing and the errors a bad environment gets.
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';

it('has the documented defaults', () => {
  expect(loadConfig({})).toEqual({
    port: 8080,
    host: '127.0.0.1',
    dataDir: './data',
    databaseUrl: null,
    redisUrl: null,
    nodeId: `${hostname()}-${process.pid}`,
    tickHz: 60,
    presenceTtlMs: 30_000,
    allowedOrigins: [],
    logLevel: 'info',
    limits: {
      connectionsPerIp: 50,
      trustedProxies: [],
      roomsPerSocket: 50,
      rateLimitScale: 1,
      queuedBytesPerConnection: 4_194_304,
      notesPerRoom: 5_000,
      notesPerAuthorPerDay: 500,
      identityIdleDays: 30,
    },
    admin: null,
  });
});

it('reads every variable and treats empty ones as unset', () => {
  expect(
    loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: '/var/lib/copresence',
      DATABASE_URL: 'postgres://copresence:secret@db.internal:5432/copresence',
      REDIS_URL: 'redis://:secret@cache.internal:6379/0',
      NODE_ID: 'node-2',
      TICK_HZ: '30',
      PRESENCE_TTL_MS: '45000',
      ALLOWED_ORIGINS: ' chrome-extension://abc , https://example.com/ ,',
      LOG_LEVEL: 'DEBUG',
      MAX_CONNECTIONS_PER_IP: '7',
      TRUSTED_PROXIES: ' 10.0.0.2, ::1 ,',
      MAX_ROOMS_PER_SOCKET: '9',
      RATE_LIMIT_SCALE: '2.5',
      MAX_QUEUED_BYTES: '1048576',
      MAX_NOTES_PER_ROOM: '100',
      MAX_NOTES_PER_AUTHOR_PER_DAY: '20',
      IDENTITY_IDLE_DAYS: '0.5',
      ADMIN_USER: 'ops',
      ADMIN_PASSWORD: 'correct horse',
    }),
  ).toEqual({
    port: 0,
    host: '0.0.0.0',
    dataDir: '/var/lib/copresence',
    databaseUrl: 'postgres://copresence:secret@db.internal:5432/copresence',
    redisUrl: 'redis://:secret@cache.internal:6379/0',
    nodeId: 'node-2',
    tickHz: 30,
    presenceTtlMs: 45_000,
    allowedOrigins: ['chrome-extension://abc', 'https://example.com'],
    logLevel: 'debug',
    limits: {
      connectionsPerIp: 7,
      trustedProxies: ['10.0.0.2', '::1'],
      roomsPerSocket: 9,
      rateLimitScale: 2.5,
      queuedBytesPerConnection: 1_048_576,
      notesPerRoom: 100,
      notesPerAuthorPerDay: 20,
      identityIdleDays: 0.5,
    },
    admin: { user: 'ops', password: 'correct horse' },
  });
  expect(loadConfig({ PORT: '', LOG_LEVEL: '' })).toMatchObject({ port: 8080, logLevel: 'info' });
});

it.each([
  [{ PORT: '80a' }, /PORT/],
  [{ PORT: '70000' }, /PORT/],
  [{ TICK_HZ: '0' }, /TICK_HZ/],
  [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL/],
  [{ NODE_ID: 'node 1' }, /NODE_ID/],
  [{ PRESENCE_TTL_MS: '50' }, /PRESENCE_TTL_MS/],
  [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
  [{ ALLOWED_ORIGINS: 'example.com' }, /ALLOWED_ORIGINS/],
  [{ MAX_CONNECTIONS_PER_IP: '0' }, /MAX_CONNECTIONS_PER_IP/],
  [{ TRUSTED_PROXIES: 'nginx.internal' }, /TRUSTED_PROXIES/],
  [{ RATE_LIMIT_SCALE: '-1' }, /RATE_LIMIT_SCALE/],
  [{ MAX_QUEUED_BYTES: '1000' }, /MAX_QUEUED_BYTES/],
  [{ MAX_NOTES_PER_ROOM: '0' }, /MAX_NOTES_PER_ROOM/],
  [{ MAX_NOTES_PER_AUTHOR_PER_DAY: '1.5' }, /MAX_NOTES_PER_AUTHOR_PER_DAY/],
  [{ IDENTITY_IDLE_DAYS: '0' }, /IDENTITY_IDLE_DAYS/],
  [{ DATABASE_URL: 'mysql://db/copresence' }, /DATABASE_URL/],
  [{ ADMIN_USER: 'ops' }, /ADMIN_USER and ADMIN_PASSWORD/],
  [{ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD/],
])('refuses %o with a message naming the variable', (env, name) => {
  expect(() => loadConfig(env)).toThrow(name);
  expect(() => loadConfig(env)).toThrow(/^invalid environment: /);
});

it('names every bad variable at once', () => {
  expect(() => loadConfig({ PORT: 'x', TICK_HZ: '-1' })).toThrow(/PORT.*TICK_HZ/);
});
