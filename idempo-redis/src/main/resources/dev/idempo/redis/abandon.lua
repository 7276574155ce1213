-- abandon: ARGV = claim token. Deletes the IN_PROGRESS record if the claim with this token made
-- it (created it or last took it over). Replies 1 (applied) or 0 (not that claim's record).
local v, err = read()
if not v then
  return err or 0
end
if string.sub(v, 2, 2) ~= 'P' or ARGV[1] == NO_TOKEN or string.sub(v, TOKEN, FENCE - 1) ~= ARGV[1] then
  return 0
end
redis.call('DEL', key)
return 1
