-- wrk script for make bench: optional POST body from the environment, an optional new client
-- address per request (WRK_ROTATE_FORWARDED_FOR=1: a random X-Forwarded-For in 10.0.0.0/8, so a
-- server behind TRUST_PROXY counts each request as another client), and a one-line JSON summary
-- at the end (requests, errors, latency percentiles in microseconds).
local body = os.getenv("WRK_BODY")
if body then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/x-www-form-urlencoded"
end

if os.getenv("WRK_ROTATE_FORWARDED_FOR") == "1" then
  request = function()
    wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d",
      math.random(0, 255), math.random(0, 255), math.random(1, 254))
    return wrk.format()
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRK_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
