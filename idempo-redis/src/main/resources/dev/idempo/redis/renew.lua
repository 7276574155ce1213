-- renew: ARGV = fence, lease ms. Replies 1 (applied) or 0 (fence lost). The record then expires at
-- the later of its expiry and the new lease end.
local v, reply = fenced()
if not v then
  return reply
end
local now_ms = server_time()
local lease = tonumber(ARGV[2])
local ttl = redis.call('PTTL', key)
write(string.sub(v, 1, LEASE - 1) .. digits(now_ms + lease) .. string.sub(v, RETENTION),
  math.max(ttl, lease))
return 1
