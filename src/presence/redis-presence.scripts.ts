/**
 * Lua scripts of the Redis presence store. Each runs atomically, so exactly one caller sees
 * each change of a user's status, and the clock is Redis's own TIME, so instances with skewed
 * clocks agree on expiry. Keys, below the configured prefix:
 *
 * - `presence:socket:<socketId>`: the socket's state, `active` or `away`, with a TTL that the
 *   owning instance's heartbeat renews;
 * - `presence:user:<userId>`: set of the user's socket ids;
 * - `presence:status:<userId>`: hash with `status` (online or away) and, during the grace
 *   period, `left`, the time in ms since the epoch when the last socket went. A user without
 *   this hash is offline;
 * - `presence:expiry`: sorted set of `<userId>:<socketId>` by expiry time, for the sweep;
 * - `presence:grace`: sorted set of user ids by the end of their grace period.
 *
 * Scripts return a flat list of transitions: user id, new status, lastSeen in ms or ''.
 *
 * NOTE: the scripts build key names from the prefix instead of receiving them as KEYS, so they
 * need a standalone Redis (or a primary with replicas), not Redis Cluster.
 */
const COMMON = `
local prefix = ARGV[1]
local expiryKey = prefix .. 'presence:expiry'
local graceKey = prefix .. 'presence:grace'
local transitions = {}

local function nowMs()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Drop the user's expired sockets and return whether any socket remains and whether one is active.
local function liveSockets(userId)
  local userKey = prefix .. 'presence:user:' .. userId
  local anyLive, anyActive = false, false
  for _, socketId in ipairs(redis.call('SMEMBERS', userKey)) do
    local state = redis.call('GET', prefix .. 'presence:socket:' .. socketId)
    if state then
      anyLive = true
      if state == 'active' then anyActive = true end
    else
      redis.call('SREM', userKey, socketId)
      redis.call('ZREM', expiryKey, userId .. ':' .. socketId)
    end
  end
  return anyLive, anyActive
end

-- Recompute the user's status from their live sockets. Without sockets an online or away
-- user enters the grace period, which ends graceMs after leftAt; the sweep then claims offline.
local function derive(userId, leftAt, graceMs)
  local statusKey = prefix .. 'presence:status:' .. userId
  local current = redis.call('HGET', statusKey, 'status')
  local anyLive, anyActive = liveSockets(userId)

  if not anyLive then
    if current and not redis.call('ZSCORE', graceKey, userId) then
      redis.call('ZADD', graceKey, leftAt + graceMs, userId)
      redis.call('HSET', statusKey, 'left', leftAt)
    end
    return
  end

  redis.call('ZREM', graceKey, userId)
  redis.call('HDEL', statusKey, 'left')
  local status = anyActive and 'online' or 'away'
  if status ~= current then
    redis.call('HSET', statusKey, 'status', status)
    table.insert(transitions, userId)
    table.insert(transitions, status)
    table.insert(transitions, '')
  end
end
`;

/** ARGV: prefix, ttlMs, graceMs, then (userId, socketId, state) triples. Creates or renews each socket's entry. */
export const UPSERT_SOCKETS = `${COMMON}
local ttlMs, graceMs = tonumber(ARGV[2]), tonumber(ARGV[3])
local now = nowMs()
for i = 4, #ARGV, 3 do
  local userId, socketId, state = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  redis.call('SET', prefix .. 'presence:socket:' .. socketId, state, 'PX', ttlMs)
  redis.call('SADD', prefix .. 'presence:user:' .. userId, socketId)
  redis.call('ZADD', expiryKey, now + ttlMs, userId .. ':' .. socketId)
  derive(userId, now, graceMs)
end
return transitions`;

/** ARGV: prefix, graceMs, then (userId, socketId) pairs. Removes closed sockets, and their users' grace periods start now. */
export const REMOVE_SOCKETS = `${COMMON}
local graceMs = tonumber(ARGV[2])
local now = nowMs()
for i = 3, #ARGV, 2 do
  local userId, socketId = ARGV[i], ARGV[i + 1]
  redis.call('DEL', prefix .. 'presence:socket:' .. socketId)
  redis.call('SREM', prefix .. 'presence:user:' .. userId, socketId)
  redis.call('ZREM', expiryKey, userId .. ':' .. socketId)
  derive(userId, now, graceMs)
end
return transitions`;

/**
 * ARGV: prefix, ttlMs, graceMs, limit. Claims up to `limit` expired sockets and ended grace
 * periods. An expired socket counts as gone since its last renewal (expiry - ttlMs), so the
 * grace period of a crashed instance's user has usually ended by the time a sweep reaches it.
 */
export const SWEEP = `${COMMON}
local ttlMs, graceMs, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = nowMs()

local expired = redis.call('ZRANGEBYSCORE', expiryKey, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
for i = 1, #expired, 2 do
  local member, expiresAt = expired[i], tonumber(expired[i + 1])
  local userId, socketId = string.match(member, '^([^:]+):(.+)$')
  local remainingMs = redis.call('PTTL', prefix .. 'presence:socket:' .. socketId)
  if remainingMs > 0 then
    -- Redis has not expired the key yet (its clock and TIME can differ by a millisecond): look again later.
    redis.call('ZADD', expiryKey, now + remainingMs, member)
  else
    redis.call('ZREM', expiryKey, member)
    derive(userId, expiresAt - ttlMs, graceMs)
  end
end

local ended = redis.call('ZRANGEBYSCORE', graceKey, '-inf', now, 'LIMIT', 0, limit)
for _, userId in ipairs(ended) do
  redis.call('ZREM', graceKey, userId)
  local anyLive = liveSockets(userId)
  local statusKey = prefix .. 'presence:status:' .. userId
  if not anyLive and redis.call('EXISTS', statusKey) == 1 then
    local left = redis.call('HGET', statusKey, 'left') or tostring(now)
    redis.call('DEL', statusKey)
    table.insert(transitions, userId)
    table.insert(transitions, 'offline')
    table.insert(transitions, left)
  end
end

-- The last element tells the caller whether either batch was full, so it sweeps again.
table.insert(transitions, (#expired / 2 >= limit or #ended >= limit) and 'more' or 'done')
return transitions`;
