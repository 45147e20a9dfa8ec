-- wrk's report as one JSON line (bench/run reads it): requests per second,
-- latency percentiles in milliseconds, and every kind of error wrk counts
-- (a status of 400 or more is one).
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f, ' ..
    '"bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    summary.bytes, e.connect, e.read, e.write, e.status, e.timeout))
end

-- With AEGIR_WRK_SITE_PAGES=N, each request asks for the site list's page
-- after a domain drawn from bench-1.example.org to bench-N.example.org
-- (bench/generate's), so that almost none is a page read a moment before
-- (each thread draws its own sequence).
local site_pages = tonumber(os.getenv("AEGIR_WRK_SITE_PAGES") or "")
if site_pages then
  local threads = 0
  setup = function(thread)
    threads = threads + 1
    thread:set("thread_number", threads)
  end
  init = function(args)
    math.randomseed(os.time() * 1000 + thread_number)
  end
  request = function()
    return wrk.format(nil, "/sites?after=bench-" .. math.random(1, site_pages) .. ".example.org")
  end
end
