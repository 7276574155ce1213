-- find: no ARGV. Replies {} (no record) or {the record in format 2, ms until it expires (-1:
-- never), server time ms}. Never writes.
local v, err = read()
if err then
  return err
end
if not v then
  return {}
end
local ttl = redis.call('PTTL', key)
local now_ms = server_time()
return {v, ttl, now_ms}
