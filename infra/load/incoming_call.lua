-- wrk script: cycles through pre-signed incoming_call requests and prints req/s, p50, p99.
local requests = dofile(os.getenv("FRONTDESK_LOAD_REQUESTS"))
local i = 0

request = function()
  i = i % #requests + 1
  local r = requests[i]
  return wrk.format("POST", "/webhook/incoming_call", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r[2],
  }, r[1])
end

done = function(summary, latency, _)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests: %d in %.1f s, errors: %d (status %d, timeout %d)\n",
    summary.requests, seconds,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("throughput: %.0f req/s\n", summary.requests / seconds))
  io.write(string.format("latency p50: %.2f ms, p99: %.2f ms, max: %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
