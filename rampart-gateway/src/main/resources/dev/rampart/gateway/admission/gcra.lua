-- GCRA over several limits at once, all or nothing: a request passes only if every limit has room, and then
-- takes its place in all of them; a refused request takes nothing. Time is Redis's own clock, shared by every
-- Rampart instance. Microseconds throughout (below 2^53, exact in Lua's doubles).
--
-- KEYS[i]       the limit's cell
-- ARGV[1]       cost of the request (>= 1)
-- ARGV[2i]      emission interval of limit i, microseconds (period / count)
-- ARGV[2i+1]    burst tolerance of limit i, microseconds (interval * (burst - 1))
-- returns { allowed (1|0), then per limit: remaining, reset_us, retry_after_us }
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cost = tonumber(ARGV[1])
local n = #KEYS
local tats = {}
local out = { 1 }
local allowed = 1
for i = 1, n do
  local interval = tonumber(ARGV[2 * i])
  local tolerance = tonumber(ARGV[2 * i + 1])
  local stored = redis.call('GET', KEYS[i])
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
  out[3 * i - 1] = remaining
  out[3 * i] = reset
  out[3 * i + 1] = retryAfter
end
out[1] = allowed
if allowed == 1 then
  for i = 1, n do
    -- the cell expires once it is back to a full bucket: nothing stays behind for idle keys
    redis.call('SET', KEYS[i], string.format('%.0f', tats[i]), 'PX', math.max(1, math.ceil((tats[i] - now) / 1000)))
  end
end
return out
