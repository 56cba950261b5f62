-- wrk script for make bench: optional POST body from the environment, an optional new client
-- address per request (WRK_ROTATE_FORWARDED_FOR=1: a random X-Forwarded-For in 10.0.0.0/8, so a
-- server behind TRUST_PROXY counts each request as another client), and a one-line JSON summary
-- at the end (requests, errors, latency percentiles in microseconds). WRK_BODIES names a file of
-- POST bodies, one per line, each sent once (a code is single use), a line being `body` or
-- `cookie<TAB>body`: the run ends when all are answered.
local body = os.getenv("WRK_BODY")
if body then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/x-www-form-urlencoded"
end

local bodies_file = os.getenv("WRK_BODIES")
if bodies_file then
  local bodies, next_body, answered = {}, 0, 0
  for line in io.lines(bodies_file) do
    local cookie, rest = line:match("^([^\t]*)\t(.*)$")
    bodies[#bodies + 1] = { cookie = cookie, body = rest or line }
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/x-www-form-urlencoded"
  request = function()
    -- Past the last body the connections repeat it (refused, and counted as non-2xx) until the
    -- answers below stop the run.
    next_body = math.min(next_body + 1, #bodies)
    local chosen = bodies[next_body]
    wrk.headers["Cookie"] = chosen.cookie
    return wrk.format(nil, nil, nil, chosen.body)
  end
  response = function()
    answered = answered + 1
    if answered >= #bodies then
      wrk.thread:stop()
    end
  end
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
