-- wrk script: every request carries new alerts (unique instance labels), shaped for either
-- AWOOOI's Alertmanager webhook endpoint ("webhook") or Alertmanager's own POST /api/v2/alerts
-- ("amv2"), so both peers receive the same alerts. Usage:
--   wrk -s alerts.lua URL -- <alerts per request> <webhook|amv2> [delay ms] [incidents]
-- [incidents]: how many distinct incidents (service x alertname) the alerts fall into; 0 means
-- every request opens new ones. Default 1000 (50 services x 20 alert names).
local counter = 0
local thread_ids = 0
function setup(thread)
  thread:set("tid", thread_ids)
  thread_ids = thread_ids + 1
end

function init(args)
  per_request = tonumber(args[1]) or 1
  mode = args[2] or "webhook"
  pause = tonumber(args[3]) or 0
  incidents = tonumber(args[4]) or 1000
end

function delay()
  return pause
end

local function alert(n, i)
  local svc, name
  if incidents == 0 then
    svc = "svc-" .. (n % 50)
    name = "BenchAlert-" .. tid .. "-" .. n
  else
    svc = "svc-" .. (n % 50)
    name = "BenchAlert" .. (math.floor(n / 50) % math.max(1, math.floor(incidents / 50)))
  end
  local instance = string.format("10.%d.%d.%d:9100", tid % 250, math.floor(n / 250) % 250, (n + i) % 250)
  local labels = '{"alertname":"' .. name .. '","service":"' .. svc .. '","severity":"warning","instance":"' ..
      instance .. '","pod":"p-' .. tid .. '-' .. n .. '-' .. i .. '"}'
  local annotations = '{"summary":"error rate above 5% on ' .. svc .. '","description":"host ' .. instance ..
      ' returned 503 for 12% of requests"}'
  if mode == "amv2" then
    return '{"labels":' .. labels .. ',"annotations":' .. annotations ..
        ',"startsAt":"2026-11-25T03:00:00Z","generatorURL":"http://prometheus:9090/graph"}'
  end
  return '{"status":"firing","labels":' .. labels .. ',"annotations":' .. annotations ..
      ',"startsAt":"2026-11-25T03:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph","fingerprint":"0"}'
end

function request()
  counter = counter + 1
  local alerts = {}
  for i = 1, per_request do
    alerts[i] = alert(counter, i)
  end
  local body
  if mode == "amv2" then
    body = "[" .. table.concat(alerts, ",") .. "]"
  else
    body = '{"receiver":"awoooi","status":"firing","alerts":[' .. table.concat(alerts, ",") ..
        '],"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am:9093","version":"4","groupKey":"{}:{}","truncatedAlerts":0}'
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
