-- release: ARGV = fence. Replies 1 (applied) or 0 (fence lost).
local r, reply = fenced()
if not r then
  return reply
end
redis.call('DEL', key)
return 1
