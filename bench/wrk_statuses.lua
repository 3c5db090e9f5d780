-- Counts every response's HTTP status for bench/load.py: wrk itself only counts answers outside 2xx and 3xx,
-- and a page that redirected to the log-in form mid-run must not pass as measured.
-- Prints one line per status at the end: "status 200 1234".
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d %d\n", status, count))
  end
end
