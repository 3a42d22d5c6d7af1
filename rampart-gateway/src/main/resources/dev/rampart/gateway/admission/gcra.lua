-- Admission for a batch of requests, decided in order: for each, GCRA over its rate limits and a place among the
-- requests in flight of each of its concurrency sets. Each request is all or nothing: it passes only if every rate
-- limit has room and every set has a free place, and then takes its place in all of them; a refused request takes
-- nothing. A later request in the batch sees what an earlier one took. Time is Redis's own clock, shared by every
-- Rampart instance, and one reading serves the whole batch. Microseconds throughout (below 2^53, exact in Lua's
-- doubles).
--
-- ARGV[1]    number of requests in the batch
-- then per request, with its rate limits' cells and then its concurrency sets next in KEYS, in the same order:
--   n          number of its rate limits
--   m          number of its concurrency sets
--   cost       cost of the request (>= 1)
--   n pairs    emission interval (period / count) and burst tolerance (interval * (burst - 1)) of each rate limit
--   m pairs    most requests in flight in the set, and the lease of a place (past it, a place nobody gave back
--              is free again: the instance holding it died, or lost Redis when the request ended)
--   member     the request's name in its sets (only when m > 0)
-- returns per request: status (1 admitted, 0 refused by a rate limit, 2 refused for too many in flight), then per
-- rate limit: remaining, reset_us, retry_after_us
--
-- A batch often holds many requests for one cell (a busy client, a route's global limit): each cell is read once,
-- kept here while the batch is decided, and written once at the end with its last TAT. With one clock reading for
-- the whole batch, that is what writing after every request would leave behind, for a GET and a SET per cell
-- instead of per request.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
local known = {}    -- cell -> its TAT as this batch left it so far (false: none stored)
local changed = {}  -- cells to write at the end, in the order first changed
local isChanged = {}
local arg = 2
local key = 1
for _ = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[arg])
  local m = tonumber(ARGV[arg + 1])
  local cost = tonumber(ARGV[arg + 2])
  arg = arg + 3
  local first = #out + 1
  local tats = {}
  local allowed = 1
  out[first] = 1
  for i = 1, n do
    local interval = tonumber(ARGV[arg])
    local tolerance = tonumber(ARGV[arg + 1])
    arg = arg + 2
    local cell = KEYS[key + i - 1]
    local stored = known[cell]
    if stored == nil then
      local value = redis.call('GET', cell)
      stored = value and tonumber(value) or false
      known[cell] = stored
    end
    local tat = now
    if stored then
      tat = math.max(stored, now)
    end
    local newTat = tat + interval * cost
    local allowAt = newTat - tolerance - interval
    local remaining, reset, retryAfter
    if now < allowAt then
      allowed = 0
      retryAfter = allowAt - now
      remaining = math.floor((tolerance + interval - (tat - now)) / interval)
      reset = tat - now
    else
      retryAfter = 0
      remaining = math.floor((tolerance + interval - (newTat - now)) / interval)
      reset = newTat - now
    end
    if remaining < 0 then remaining = 0 end
    tats[i] = newTat
    out[first + 3 * i - 2] = remaining
    out[first + 3 * i - 1] = reset
    out[first + 3 * i] = retryAfter
  end
  local leases = {}
  for j = 1, m do
    local set = KEYS[key + n + j - 1]
    local most = tonumber(ARGV[arg])
    leases[j] = tonumber(ARGV[arg + 1])
    arg = arg + 2
    redis.call('ZREMRANGEBYSCORE', set, '-inf', now) -- places whose lease ran out
    if allowed == 1 and redis.call('ZCARD', set) >= most then
      allowed = 2
    end
  end
  local member
  if m > 0 then
    member = ARGV[arg]
    arg = arg + 1
  end
  out[first] = allowed
  if allowed == 1 then
    for i = 1, n do
      local cell = KEYS[key + i - 1]
      known[cell] = tats[i]
      if not isChanged[cell] then
        isChanged[cell] = true
        changed[#changed + 1] = cell
      end
    end
    for j = 1, m do
      local set = KEYS[key + n + j - 1]
      redis.call('ZADD', set, string.format('%.0f', now + leases[j]), member)
      -- the set goes when its last lease would have
      local leaseMillis = math.ceil(leases[j] / 1000)
      if redis.call('PTTL', set) < leaseMillis then
        redis.call('PEXPIRE', set, leaseMillis)
      end
    end
  end
  key = key + n + m
end
for _, cell in ipairs(changed) do
  -- the cell expires once it is back to a full bucket: nothing stays behind for idle keys
  redis.call('SET', cell, string.format('%.0f', known[cell]), 'PX', math.max(1, math.ceil((known[cell] - now) / 1000)))
end
return out
