-- POST the same Idempotency-Key and body every time: after the first, every request is a replay.
wrk.method = "POST"
wrk.body = '{"order":42,"amount":1000}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer wrk-client" -- the gateway's default tenant
wrk.headers["Idempotency-Key"] = "wrk-replay-key"
