-- release: ARGV = fence. Replies 1 (applied) or 0 (fence lost).
local v, reply = fenced()
if not v then
  return reply
end
redis.call('DEL', key)
return 1
