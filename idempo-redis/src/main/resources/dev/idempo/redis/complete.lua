-- complete: ARGV = fence, response. Replies 1 (applied) or 0 (fence lost).
local r, reply = fenced('ret')
if not r then
  return reply
end
local now_ms = server_time()
local expires = int(now_ms + tonumber(r[4]))
redis.call('HSET', key, 'state', 'C', 'resp', ARGV[2], 'exp', expires)
redis.call('HDEL', key, 'rp_name', 'rp_state')
redis.call('PEXPIREAT', key, expires)
return 1
