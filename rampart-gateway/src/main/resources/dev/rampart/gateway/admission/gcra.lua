-- GCRA for a batch of requests, decided in order. Each request is all or nothing over its limits: it passes only
-- if every one of its limits has room, and then takes its place in all of them; a refused request takes nothing.
-- A later request in the batch sees what an earlier one took. Time is Redis's own clock, shared by every Rampart
-- instance, and one reading serves the whole batch. Microseconds throughout (below 2^53, exact in Lua's doubles).
--
-- ARGV[1]    number of requests in the batch
-- then per request, with its limits' cells next in KEYS, in the same order:
--   n          number of its limits
--   cost       cost of the request (>= 1)
--   n pairs    emission interval (period / count) and burst tolerance (interval * (burst - 1)) of each limit
-- returns per request: allowed (1|0), then per limit: remaining, reset_us, retry_after_us
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local out = {}
local arg = 2
local key = 1
for _ = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[arg])
  local cost = tonumber(ARGV[arg + 1])
  arg = arg + 2
  local first = #out + 1
  local tats = {}
  local allowed = 1
  out[first] = 1
  for i = 1, n do
    local interval = tonumber(ARGV[arg])
    local tolerance = tonumber(ARGV[arg + 1])
    arg = arg + 2
    local stored = redis.call('GET', KEYS[key + i - 1])
    local tat = now
    if stored then
      tat = math.max(tonumber(stored), now)
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
  out[first] = allowed
  if allowed == 1 then
    for i = 1, n do
      -- the cell expires once it is back to a full bucket: nothing stays behind for idle keys
      redis.call('SET', KEYS[key + i - 1], string.format('%.0f', tats[i]), 'PX',
        math.max(1, math.ceil((tats[i] - now) / 1000)))
    end
  end
  key = key + n
end
return out
