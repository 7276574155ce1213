-- claim: ARGV = fingerprint, lease ms, retention ms, claim token.
-- Replies {'A', fence, takeover 0|1 [, rp_name, rp_state]} | {'R', response} | {'I', lease ms left} | {'M'}
local r = redis.call('HMGET', key, 'v', 'state', 'fp', 'fence', 'lease_until', 'resp', 'rp_name', 'rp_state')
local now_ms, now_us = server_time()
local fence, takeover = now_us, false
if r[1] then
  if r[1] ~= FORMAT then
    return unknown_format(r[1])
  end
  if r[3] ~= ARGV[1] then
    return {'M'}
  end
  if r[2] == 'C' then
    return {'R', r[6] or ''}
  end
  local lease_until = tonumber(r[5])
  if lease_until > now_ms then
    return {'I', lease_until - now_ms}
  end
  fence, takeover = math.max(tonumber(r[4]) + 1, now_us), true
elseif redis.call('EXISTS', key) == 1 then
  return unknown_format(nil)
end
local lease_until = now_ms + tonumber(ARGV[2])
local expires = int(math.max(lease_until, now_ms + tonumber(ARGV[3])))
fence = int(fence)
redis.call('HSET', key, 'v', FORMAT, 'state', 'P', 'fp', ARGV[1], 'fence', fence,
  'lease_until', int(lease_until), 'exp', expires, 'ret', ARGV[3], 'tok', ARGV[4])
redis.call('PEXPIREAT', key, expires)
if takeover and r[7] then
  return {'A', fence, 1, r[7], r[8] or ''}
end
return {'A', fence, takeover and 1 or 0}
