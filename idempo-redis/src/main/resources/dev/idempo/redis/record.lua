-- Shared head of every Idempo record script (see RecordScript). KEYS[1] is the record's hash;
-- ARGV[1] is the fence of fenced updates. Replies never contain Lua false, which RESP3 clients
-- would receive as a boolean.
local key = KEYS[1]
local FORMAT = '1'

-- The server's clock, the only one leases, expiry and fences trust: (milliseconds, microseconds).
local function server_time()
  local t = redis.call('TIME')
  local seconds, micros = tonumber(t[1]), tonumber(t[2])
  return seconds * 1000 + math.floor(micros / 1000), seconds * 1000000 + micros
end

-- Integers as decimal text: tostring() would write large numbers in exponent notation.
local function int(n)
  return string.format('%d', n)
end

local function unknown_format(version)
  return redis.error_reply('IDEMPO_FORMAT ' .. (version or 'none'))
end

-- For fenced updates: the fields v, state, fence and then the named extra ones if ARGV[1] is the
-- fence of the IN_PROGRESS record; otherwise nil and the reply to give (0: fence lost).
local function fenced(...)
  local r = redis.call('HMGET', key, 'v', 'state', 'fence', ...)
  if not r[1] then
    if redis.call('EXISTS', key) == 1 then
      return nil, unknown_format(nil)
    end
    return nil, 0
  end
  if r[1] ~= FORMAT then
    return nil, unknown_format(r[1])
  end
  if r[2] ~= 'P' or r[3] ~= ARGV[1] then
    return nil, 0
  end
  return r
end
