/**
 * The Lua scripts of the cluster-wide presence (redis-presence.ts). Each runs atomically in
 * Redis, so two nodes that change a room at once (two joins picking a peer number, two sweeps
 * finding the same dead node's peer) cannot both win. Time is Redis's own clock, so nodes with
 * skewed clocks agree on who is stale.
 *
 * Per room R (prefix `cp:r:`):
 *   `R:m`    hash peerId -> Peer JSON with its packed number `no`
 *   `R:s`    sorted set "peerId nodeId" -> last refresh (ms): one seat per node holding the peer
 *   `R:h`    hash peerId -> how many nodes hold it (seats), so the last one leaving is known
 *   `R:meta` hash: `no` (the room's packed number), `nextPath`
 *   `R:p`    hash path -> path number (packed anchors)
 *   `R:f`    hash nodeId -> the cursor formats its sockets in the room take (`p`, `o`, `po`):
 *            a node flushes a format only when some node has sockets that take it
 * and `cp:page:<page>` (sorted set room -> last refresh) for `room:list`, `cp:roomno` (counter).
 * Every key expires unless refreshed: a room nobody refreshes disappears by itself.
 */

/** Milliseconds of Redis's clock, usable inside every script. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** Renews the room's keys; `keyTtl` is ARGV[keyTtlArg]. */
const KEEP = `local function keep(keys, ttl)
  for _, key in ipairs(keys) do redis.call('PEXPIRE', key, ttl) end
end`;

/** Stores this node's formats in the room and returns the other nodes' together (e.g. "ppo"). */
const FORMATS = `local function formats(f, nodeId, own)
  redis.call('HSET', f, nodeId, own)
  local all = redis.call('HGETALL', f)
  local out = ''
  for i = 1, #all, 2 do
    if all[i] ~= nodeId then out = out .. all[i + 1] end
  end
  return out
end`;

/** The smallest number no other member of the room uses; `except` is the asking peer. */
const FREE_NUMBER = `local function freeNumber(m, except)
  local taken = {}
  local all = redis.call('HGETALL', m)
  for i = 1, #all, 2 do
    if all[i] ~= except then taken[cjson.decode(all[i + 1]).no] = true end
  end
  local no = 1
  while taken[no] do no = no + 1 end
  return no
end`;

/**
 * KEYS m s h meta p page counter f; ARGV peerId nodeId peerJSON room keyTtl formats.
 * Seats the peer for this node, numbers it if the room does not have it yet (then `arrived`),
 * numbers the room if new. Returns { roomNo, arrived, self JSON, other nodes' formats,
 * member count, members JSON..., paths... }.
 */
export const ARRIVE = `${NOW}
${KEEP}
${FREE_NUMBER}
${FORMATS}
local m, s, h, meta, p, page, counter, f = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local peerId, nodeId, room, ttl = ARGV[1], ARGV[2], ARGV[4], tonumber(ARGV[5])
local roomNo = redis.call('HGET', meta, 'no')
if not roomNo then
  roomNo = redis.call('INCR', counter)
  redis.call('HSET', meta, 'no', roomNo)
end
if redis.call('ZADD', s, now, peerId .. ' ' .. nodeId) == 1 then redis.call('HINCRBY', h, peerId, 1) end
local peer = cjson.decode(ARGV[3])
local stored = redis.call('HGET', m, peerId)
local arrived = 0
if stored then
  peer.no = cjson.decode(stored).no
else
  peer.no = freeNumber(m, peerId)
  arrived = 1
end
local self = cjson.encode(peer)
redis.call('HSET', m, peerId, self)
redis.call('ZADD', page, now, room)
local others = formats(f, nodeId, ARGV[6])
keep({ m, s, h, meta, p, page, f }, ttl)
local members = redis.call('HVALS', m)
local out = { tonumber(roomNo), arrived, self, others, #members }
-- Appended one by one: unpack() expands only as the last item of a table constructor.
for _, member in ipairs(members) do table.insert(out, member) end
for _, item in ipairs(redis.call('HGETALL', p)) do table.insert(out, item) end
return out`;

/**
 * KEYS m s h; ARGV peerId nodeId. This node no longer holds the peer. Returns 1 when it was
 * the last node holding it (the peer left the room), 0 otherwise or when a sweep was first.
 */
export const DEPART = `local m, s, h = KEYS[1], KEYS[2], KEYS[3]
local peerId = ARGV[1]
if redis.call('ZREM', s, peerId .. ' ' .. ARGV[2]) == 0 then return 0 end
if redis.call('HINCRBY', h, peerId, -1) > 0 then return 0 end
redis.call('HDEL', h, peerId)
redis.call('HDEL', m, peerId)
return 1`;

/** KEYS m; ARGV peerId peerJSON. Stores a changed name, colour or idle state of a member. */
export const UPDATE = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

/**
 * KEYS m s h page; ARGV staleMs. Removes the seats not refreshed for `staleMs` (their node
 * died or lost Redis) and returns the peers that had no other seat: each exactly once,
 * whichever node sweeps first.
 */
export const SWEEP = `${NOW}
local m, s, h = KEYS[1], KEYS[2], KEYS[3]
local stale = redis.call('ZRANGEBYSCORE', s, '-inf', now - tonumber(ARGV[1]))
local left = {}
for _, seat in ipairs(stale) do
  redis.call('ZREM', s, seat)
  local peerId = string.match(seat, '^(%S+) ')
  if peerId and redis.call('HINCRBY', h, peerId, -1) <= 0 then
    redis.call('HDEL', h, peerId)
    if redis.call('HDEL', m, peerId) == 1 then table.insert(left, peerId) end
  end
end
return left`;

/**
 * KEYS m s h meta page counter p f; ARGV nodeId room roomNo maxPathNo keyTtl formats peerJSON...
 * This node still holds these peers: renews their seats and the room's keys. After Redis lost
 * them (restarted empty, or a sweep while this node could not reach it) they are put back, with
 * their number when it is still free; returns { roomNo, other nodes' formats, JSON of each
 * peer put back }, so the node announces them again (and renumbers one whose number another
 * peer took meanwhile).
 */
export const REFRESH = `${NOW}
${KEEP}
${FREE_NUMBER}
${FORMATS}
local m, s, h, meta, page, counter = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local nodeId, room, ownNo, maxPath, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local roomNo = redis.call('HGET', meta, 'no')
if not roomNo then
  roomNo = ownNo
  redis.call('HSET', meta, 'no', roomNo)
  if ownNo < 1073741824 and tonumber(redis.call('GET', counter) or '0') < ownNo then redis.call('SET', counter, ownNo) end
end
if tonumber(redis.call('HGET', meta, 'nextPath') or '0') < maxPath then redis.call('HSET', meta, 'nextPath', maxPath) end
local added = {}
for i = 7, #ARGV do
  local peer = cjson.decode(ARGV[i])
  if redis.call('ZADD', s, now, peer.id .. ' ' .. nodeId) == 1 then redis.call('HINCRBY', h, peer.id, 1) end
  if redis.call('HEXISTS', m, peer.id) == 0 then
    local no = freeNumber(m, peer.id)
    local taken = false
    for _, v in ipairs(redis.call('HVALS', m)) do if cjson.decode(v).no == peer.no then taken = true end end
    if taken then peer.no = no end
    local json = cjson.encode(peer)
    redis.call('HSET', m, peer.id, json)
    table.insert(added, json)
  end
end
redis.call('ZADD', page, now, room)
local others = formats(KEYS[8], nodeId, ARGV[6])
keep({ m, s, h, meta, KEYS[7], page, KEYS[8] }, ttl)
table.insert(added, 1, others)
table.insert(added, 1, tonumber(roomNo))
return added`;

/**
 * KEYS p meta; ARGV path maxPaths maxChars keyTtl. The room's number for an anchor path, new
 * if needed; -1 past the room's path limits (the anchor is then left out, as on one node).
 */
export const NUMBER_PATH = `local p, meta = KEYS[1], KEYS[2]
local path = ARGV[1]
local known = redis.call('HGET', p, path)
if known then return tonumber(known) end
local chars = tonumber(redis.call('HGET', meta, 'pathChars') or '0')
if redis.call('HLEN', p) >= tonumber(ARGV[2]) or chars + #path > tonumber(ARGV[3]) then return -1 end
local no = redis.call('HINCRBY', meta, 'nextPath', 1)
redis.call('HSET', p, path, no)
redis.call('HINCRBY', meta, 'pathChars', #path)
redis.call('PEXPIRE', p, tonumber(ARGV[4]))
return no`;

/** KEYS m. Every member of the room, as JSON: what a node compares its people's view with. */
export const MEMBERS = `return redis.call('HVALS', KEYS[1])`;

/**
 * KEYS page; ARGV staleMs prefix. The rooms of a page with the peers that have a seat
 * refreshed within `staleMs`: a dead node's peers stop counting before anyone sweeps them.
 * Returns room, count, room, count...
 */
export const LIST = `${NOW}
local since = now - tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', since)
local out = {}
for _, room in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local peers = {}
  local count = 0
  for _, seat in ipairs(redis.call('ZRANGEBYSCORE', ARGV[2] .. room .. ':s', since, '+inf')) do
    local peerId = string.match(seat, '^(%S+) ')
    if peerId and not peers[peerId] then peers[peerId] = true; count = count + 1 end
  end
  table.insert(out, room)
  table.insert(out, count)
end
return out`;
