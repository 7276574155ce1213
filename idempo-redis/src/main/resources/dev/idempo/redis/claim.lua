-- claim: ARGV = fingerprint, lease ms, retention ms, claim token.
-- Replies {'A', fence, takeover 0|1 [, rp_name, rp_state]} | {'R', response} | {'I', lease ms left} | {'M'}
local v, err = read()
if err then
  return err
end
local now_ms, now_us, fence
local takeover, tail = 0, ''
if v then
  if string.sub(v, FP, TOKEN - 1) ~= ARGV[1] then
    return {'M'}
  end
  if string.sub(v, 2, 2) == 'C' then
    return {'R', string.sub(v, HEAD + 1)}
  end
  now_ms, now_us = server_time()
  local lease_until = tonumber(string.sub(v, LEASE, RETENTION - 1))
  if lease_until > now_ms then
    return {'I', lease_until - now_ms}
  end
  fence = math.max(tonumber(string.sub(v, FENCE, LEASE - 1)) + 1, now_us)
  takeover, tail = 1, string.sub(v, HEAD + 1)
else
  now_ms, now_us = server_time()
  fence = now_us
end
local lease, retention = tonumber(ARGV[2]), tonumber(ARGV[3])
fence = digits(fence)
-- Expires at the later of lease end and claim time plus retention.
redis.call('SET', key, FORMAT .. 'P' .. ARGV[1] .. ARGV[4] .. fence .. digits(now_ms + lease)
  .. digits(retention) .. tail, 'PX', math.max(lease, retention))
if tail ~= '' then
  local length = tonumber(string.sub(tail, 1, 4))
  return {'A', fence, 1, string.sub(tail, 5, 4 + length), string.sub(tail, 5 + length)}
end
return {'A', fence, takeover}
