-- checkpoint: ARGV = fence, recovery point name, recovery point state. Replies 1 or 0.
local r, reply = fenced()
if not r then
  return reply
end
redis.call('HSET', key, 'rp_name', ARGV[2], 'rp_state', ARGV[3])
return 1
