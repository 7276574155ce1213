-- abandon: ARGV = claim token. Deletes the IN_PROGRESS record if the claim with this token made
-- it (created it or last took it over). Replies 1 (applied) or 0 (not that claim's record).
local r = redis.call('HMGET', key, 'v', 'state', 'tok')
if not r[1] then
  if redis.call('EXISTS', key) == 1 then
    return unknown_format(nil)
  end
  return 0
end
if r[1] ~= FORMAT then
  return unknown_format(r[1])
end
if r[2] ~= 'P' or r[3] ~= ARGV[1] then
  return 0
end
redis.call('DEL', key)
return 1
