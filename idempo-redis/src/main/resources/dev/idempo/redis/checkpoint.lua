-- checkpoint: ARGV = fence, recovery point name, recovery point state. Replies 1 or 0. The tail
-- becomes the name's length (4 digits), the name and the state.
local v, reply = fenced()
if not v then
  return reply
end
write(string.sub(v, 1, HEAD) .. string.format('%04d', #ARGV[2]) .. ARGV[2] .. ARGV[3],
  redis.call('PTTL', key))
return 1
