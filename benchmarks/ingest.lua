-- wrk script for benchmarks/ingest.py: POST one signed payload with a new delivery GUID per
-- request (the signature covers only the body, so one signature serves every request).
-- Configured through the environment: BENCH_BODY_FILE, BENCH_SIGNATURE, BENCH_EVENT,
-- BENCH_PREFIX. Prints one JSON line of figures at the end.

local body_file = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
local body = body_file:read("*a")
body_file:close()
local signature = os.getenv("BENCH_SIGNATURE")
local event = os.getenv("BENCH_EVENT")
local prefix = os.getenv("BENCH_PREFIX")

local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("tid", thread_count)
   table.insert(threads, thread)
end

function init(args)
   counter = 0
   statuses = {}
end

function request()
   counter = counter + 1
   local headers = {
      ["Content-Type"] = "application/json",
      ["X-GitHub-Event"] = event,
      ["X-Hub-Signature-256"] = signature,
      ["X-GitHub-Delivery"] = string.format("%s-%d-%d", prefix, tid, counter),
   }
   return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local codes = {}
   for _, thread in ipairs(threads) do
      local seen = thread:get("statuses")
      for code, count in pairs(seen) do
         codes[tostring(code)] = (codes[tostring(code)] or 0) + count
      end
   end
   local parts = {}
   for code, count in pairs(codes) do
      table.insert(parts, string.format('"%s": %d', code, count))
   end
   io.write(string.format(
      'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, ' ..
      '"max_ms": %.2f, "socket_errors": %d, "statuses": {%s}}\n',
      summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
      latency:percentile(99) / 1e3, latency.max / 1e3,
      summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.timeout, table.concat(parts, ", ")))
end
