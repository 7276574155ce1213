-- Shared head of every Idempo record script (see RecordScript). KEYS[1] is the record: a string in
-- format 2 (see RedisRecordFormat), or a hash in format 1, which read() converts (it never writes:
-- an operation that keeps the record overwrites the hash with its SET). ARGV[1] is the fence of
-- fenced updates as 16 decimal digits. Replies never contain Lua false, which RESP3 clients would
-- receive as a boolean. Every operation is GET, at most TIME or PTTL, and one SET or DEL: each
-- redis.call costs about as much as a command sent by a client.
local key = KEYS[1]
local FORMAT = '2'
-- 1-based offsets of the fixed-width head: format, state, fingerprint (32 bytes), claim token (16),
-- then fence, lease end (server epoch ms) and retention (ms) as 16 decimal digits each. The tail
-- after HEAD is the response (COMPLETED) or the recovery point (IN_PROGRESS), possibly empty.
local FP, TOKEN, FENCE, LEASE, RETENTION, HEAD = 3, 35, 51, 67, 83, 98
-- The token of a format-1 record written before claim tokens existed: abandon never matches it.
local NO_TOKEN = string.rep('\0', 16)

-- The server's clock, the only one leases and fences trust: (milliseconds, microseconds).
local function server_time()
  local t = redis.call('TIME')
  local seconds, micros = tonumber(t[1]), tonumber(t[2])
  return seconds * 1000 + math.floor(micros / 1000), seconds * 1000000 + micros
end

-- Integers as 16 zero-padded decimal digits (exact: every value stays below 2^53).
local function digits(n)
  return string.format('%016d', n)
end

local function unknown_format(version)
  return redis.error_reply('IDEMPO_FORMAT ' .. (version or 'none'))
end

-- A format-1 hash in format 2, or nil and the error reply for a hash of another version.
local function from_hash()
  local h = redis.call('HMGET', key, 'v', 'state', 'fp', 'tok', 'fence', 'lease_until', 'ret',
    'resp', 'rp_name', 'rp_state')
  if h[1] ~= '1' then
    return nil, unknown_format(h[1] or nil)
  end
  if not (h[2] and h[3] and h[5] and h[6] and h[7]) then
    return nil, redis.error_reply('IDEMPO_UNREADABLE a format 1 record lacks a field')
  end
  local tail = ''
  if h[2] == 'C' then
    tail = h[8] or ''
  elseif h[9] then
    tail = string.format('%04d', #h[9]) .. h[9] .. (h[10] or '')
  end
  return FORMAT .. h[2] .. h[3] .. (h[4] or NO_TOKEN) .. digits(tonumber(h[5]))
    .. digits(tonumber(h[6])) .. digits(tonumber(h[7])) .. tail
end

-- The record in format 2, false if there is none, or nil and the error reply to give.
local function read()
  local v = redis.pcall('GET', key)
  if type(v) == 'table' then
    return from_hash() -- WRONGTYPE: not a string; HMGET fails too unless it is a hash
  end
  if v and string.sub(v, 1, 1) ~= FORMAT then
    return nil, unknown_format(string.sub(v, 1, 1))
  end
  return v
end

-- For fenced updates: the record if it is IN_PROGRESS with fence ARGV[1]; otherwise nil and the
-- reply to give (0: fence lost).
local function fenced()
  local v, err = read()
  if not v then
    return nil, err or 0
  end
  if string.sub(v, 2, 2) ~= 'P' or string.sub(v, FENCE, LEASE - 1) ~= ARGV[1] then
    return nil, 0
  end
  return v
end

-- Replaces the record with value, expiring in ttl ms (never, if ttl is not positive).
local function write(value, ttl)
  if ttl > 0 then
    redis.call('SET', key, value, 'PX', ttl)
  else
    redis.call('SET', key, value)
  end
end
