-- wrk script for bench.http_load.
--
--   wrk ... -s bench/wrk_widget.lua URL -- MODE [ORIGIN]
--
-- MODE "get":  GET URL (with the Origin header, if given).
-- MODE "post": POST URL with a page view, as the widget sends it: a fresh random
--              UUIDv4 visitor id per request (page views are rate-limited per visitor)
--              and {"visitorId": ..., "url": "https://acme.example/page/N", "referrer": null}.
--
-- Every response's status is counted; done() prints one line,
--   BENCH_RESULT {"statuses": {"204": 1234, ...}, "errors": {...}}
-- which bench.http_load reads beside wrk's own --latency report.

local threads = {}

function setup(thread)
   thread:set("thread_number", #threads + 1)
   table.insert(threads, thread)
end

-- Per-thread state (each wrk thread runs its own Lua state).
statuses = {}
local mode = "get"
local page = 0
local static_request = nil

local function seed()
   -- /dev/urandom, so that threads (and runs) never share a sequence of visitor ids.
   local value = 0
   local source = io.open("/dev/urandom", "rb")
   if source then
      local bytes = source:read(6)
      source:close()
      for i = 1, #bytes do
         value = value * 256 + bytes:byte(i)
      end
   end
   math.randomseed(value + (thread_number or 0))
end

local function hex16()
   return math.random(0, 0xffff)
end

local function uuid4()
   return string.format(
      "%04x%04x-%04x-%04x-%04x-%04x%04x%04x",
      hex16(), hex16(), hex16(),
      0x4000 + math.random(0, 0x0fff),   -- version 4
      0x8000 + math.random(0, 0x3fff),   -- variant 10xx
      hex16(), hex16(), hex16()
   )
end

function init(args)
   mode = args[1] or "get"
   local origin = args[2]
   seed()
   if origin ~= nil and origin ~= "" then
      wrk.headers["Origin"] = origin
   end
   if mode == "post" then
      wrk.method = "POST"
      wrk.headers["Content-Type"] = "application/json"
   else
      wrk.method = "GET"
      static_request = wrk.format()
   end
end

function request()
   if static_request ~= nil then
      return static_request
   end
   page = page + 1
   local body = string.format(
      '{"visitorId":"%s","url":"https://acme.example/page/%d","referrer":null}', uuid4(), page % 1000
   )
   return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      local counted = thread:get("statuses") or {}
      for status, n in pairs(counted) do
         total[status] = (total[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(total) do
      table.insert(parts, string.format('"%d": %d', status, n))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"statuses": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
      table.concat(parts, ", "), e.connect, e.read, e.write, e.status, e.timeout
   ))
end
