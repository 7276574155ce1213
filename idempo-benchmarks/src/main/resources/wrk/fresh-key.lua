-- POST with a new Idempotency-Key on every request: every request is a first run.
wrk.method = "POST"
wrk.body = '{"order":42,"amount":1000}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer wrk-client" -- the gateway's default tenant

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local counter = 0
function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = "wrk-" .. tid .. "-" .. counter .. "-" .. os.time()
  return wrk.format()
end
