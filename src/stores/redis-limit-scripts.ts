// Lua for the Redis limit store. A script runs atomically in Redis: the check and the increment cannot
// interleave with another instance's, which a GET followed by INCRBY from Node would allow.

/**
 * KEYS: minute counter, day counter, month counter.
 * ARGV: estimate, minute limit (-1 = none), window ms, day limit, day ttl ms, month limit, month ttl ms.
 * Returns { refused (0 ok, 1 minute, 2 day, 3 month), minute used, minute ttl ms, day used, month used }.
 */
export const RESERVE_TOKENS = `
local estimate = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[3])
local minute = tonumber(redis.call('GET', KEYS[1]) or '0')
local minuteTtl = redis.call('PTTL', KEYS[1])
if minuteTtl < 0 then minute = 0; minuteTtl = windowMs end
local day = tonumber(redis.call('GET', KEYS[2]) or '0')
local month = tonumber(redis.call('GET', KEYS[3]) or '0')
if estimate <= 0 then return { 0, minute, minuteTtl, day, month } end
local minuteLimit, dayLimit, monthLimit = tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[6])
if monthLimit >= 0 and month >= monthLimit then return { 3, minute, minuteTtl, day, month } end
if dayLimit >= 0 and day >= dayLimit then return { 2, minute, minuteTtl, day, month } end
if minuteLimit >= 0 and minute > 0 and minute + estimate > minuteLimit then return { 1, minute, minuteTtl, day, month } end
if minute == 0 then redis.call('SET', KEYS[1], estimate, 'PX', windowMs) else redis.call('INCRBY', KEYS[1], estimate) end
if redis.call('INCRBY', KEYS[2], estimate) == estimate then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
if redis.call('INCRBY', KEYS[3], estimate) == estimate then redis.call('PEXPIRE', KEYS[3], ARGV[7]) end
return { 0, minute + estimate, minuteTtl, day + estimate, month + estimate }
`;

/** KEYS: the three counters of the reservation. ARGV: delta. Counters that expired meanwhile are left alone. */
export const SETTLE_TOKENS = `
local delta = tonumber(ARGV[1])
for i = 1, 3 do
  if redis.call('PTTL', KEYS[i]) > 0 then
    local value = redis.call('INCRBY', KEYS[i], delta)
    if value < 0 then redis.call('INCRBY', KEYS[i], -value) end
  end
end
return 0
`;

/**
 * A sorted set of leases scored by expiry: expired leases (a crashed instance's streams) drop out first.
 * KEYS: the set. ARGV: limit, lease id, now ms, lease ms. Returns { granted (1/0), active }.
 */
export const ACQUIRE_STREAM = `
local now = tonumber(ARGV[3])
local leaseMs = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local active = redis.call('ZCARD', KEYS[1])
if active >= tonumber(ARGV[1]) then return { 0, active } end
redis.call('ZADD', KEYS[1], now + leaseMs, ARGV[2])
redis.call('PEXPIRE', KEYS[1], leaseMs)
return { 1, active + 1 }
`;

/** KEYS: the set. ARGV: lease id, now ms, lease ms. Extends a lease still held. */
export const RENEW_STREAM = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 0
`;
