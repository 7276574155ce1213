-- complete: ARGV = fence, response. Replies 1 (applied) or 0 (fence lost). The record expires its
-- retention after now (Redis's clock, as TIME's).
local v, reply = fenced()
if not v then
  return reply
end
redis.call('SET', key, FORMAT .. 'C' .. string.sub(v, FP, HEAD) .. ARGV[2],
  'PX', tonumber(string.sub(v, RETENTION, HEAD)))
return 1
