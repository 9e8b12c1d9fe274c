-- wrk script for `npm run bench:http`: each request POSTs the body in WRK_BODY_FILE with @JOBID@ replaced by a
-- JobId of its own (WRK_JOB_PREFIX, the thread's number and a counter), so that dedup never drops one, and
-- sends that JobId in X-Job-Id too. The bench server copies X-Job-Id onto its answer, so that each 2xx answer
-- can be matched to a handler call: done() writes the JobIds answered 2xx to WRK_ANSWERED_FILE, one a line,
-- and prints one JSON line of counts and latencies (µs).

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

local head, tail
local prefix, content_type
local counter = 0
answered = {}
others = 0

function init(args)
  local file = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
  local body = file:read("*a")
  file:close()
  local at = assert(body:find("@JOBID@", 1, true), "no @JOBID@ in the body")
  head, tail = body:sub(1, at - 1), body:sub(at + 7)
  prefix = os.getenv("WRK_JOB_PREFIX") .. thread_number .. "-"
  content_type = os.getenv("WRK_CONTENT_TYPE")
end

function request()
  counter = counter + 1
  local id = prefix .. counter
  return wrk.format("POST", "/ci/callback", { ["Content-Type"] = content_type, ["X-Job-Id"] = id }, head .. id .. tail)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    answered[#answered + 1] = headers["x-job-id"] or ""
  else
    others = others + 1
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("WRK_ANSWERED_FILE"), "w"))
  local count, non2xx = 0, 0
  for _, thread in ipairs(threads) do
    local ids = thread:get("answered")
    for _, id in ipairs(ids) do
      out:write(id, "\n")
    end
    count = count + #ids
    non2xx = non2xx + thread:get("others")
  end
  out:close()
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"answered2xx":%d,"non2xx":%d,"socketErrors":%d,"p50Us":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, count, non2xx, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
