-- wrk script: read requests against a large store, each with a random keyset page or incident id.
--   wrk -s queries.lua URL -- <scenario> <token> <incidents> <services> <firing>
-- scenarios:
--   first     GET /api/v1/incidents                         (newest 50)
--   page      GET /api/v1/incidents?before=R                (a random keyset page)
--   firing    GET /api/v1/incidents?status=firing&before=R  (R among the newest <firing> ids)
--   service   GET /api/v1/incidents?service=S&before=R      (a random service)
--   both      GET /api/v1/incidents?status=resolved&service=S&before=R
--   detail    GET /api/v1/incidents/R                       (a random incident, with its alerts)
function init(args)
  scenario = args[1]
  token = args[2]
  incidents = tonumber(args[3])
  services = tonumber(args[4])
  firing = tonumber(args[5]) or 1
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
  headers = {["Authorization"] = "Bearer " .. token}
end

local function service()
  return string.format("svc-%04d", math.random(0, services - 1))
end

function request()
  local r = math.random(1, incidents)
  local path
  if scenario == "first" then
    path = "/api/v1/incidents"
  elseif scenario == "page" then
    path = "/api/v1/incidents?before=" .. r
  elseif scenario == "firing" then
    path = "/api/v1/incidents?status=firing&before=" .. (incidents - math.random(0, firing) + 1)
  elseif scenario == "service" then
    path = "/api/v1/incidents?service=" .. service() .. "&before=" .. r
  elseif scenario == "both" then
    path = "/api/v1/incidents?status=resolved&service=" .. service() .. "&before=" .. r
  else
    path = "/api/v1/incidents/" .. r
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d errors=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
