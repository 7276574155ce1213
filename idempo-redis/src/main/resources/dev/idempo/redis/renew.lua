-- renew: ARGV = fence, lease ms. Replies 1 (applied) or 0 (fence lost).
local r, reply = fenced('exp')
if not r then
  return reply
end
local now_ms = server_time()
local lease_until = now_ms + tonumber(ARGV[2])
local expires = int(math.max(tonumber(r[4]), lease_until))
redis.call('HSET', key, 'lease_until', int(lease_until), 'exp', expires)
redis.call('PEXPIREAT', key, expires)
return 1
