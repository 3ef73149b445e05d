-- wrk script for bench/webhook.sh.
--
--   BENCH_REQS=<prefix>  replay the pre-generated requests of bench/gen_events.py:
--                        thread i sends <prefix>.<i> in order, one request each
--                        time, so every request is a distinct signed event.
--   BENCH_BODY=<text>    (no BENCH_REQS) POST this urlencoded body to the URL.
--   neither              GET the URL (wrk's default request).
--
-- Every thread counts the answers by status class; done() prints one line
--   BENCH rps=<req/s> p50_ms=.. p99_ms=.. requests=.. ok=.. non2xx=.. sent=.. wrapped=..
-- that webhook.sh reads. "ok" are 2xx answers; "wrapped" counts requests sent
-- after a thread ran out of pre-generated ones and started over (those are
-- retries of events already sent: the file was too small for the run).

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local reqs = nil
local pos = 0

function init(args)
   ok, non2xx, sent, wrapped = 0, 0, 0, 0
   local prefix = os.getenv("BENCH_REQS")
   if prefix and prefix ~= "" then
      local f = assert(io.open(prefix .. "." .. id, "rb"))
      local data = f:read("*a")
      f:close()
      reqs = {}
      local s = 1
      while true do
         local e = string.find(data, "\0", s, true)
         if not e then break end
         reqs[#reqs + 1] = string.sub(data, s, e - 1)
         s = e + 1
      end
      data = nil
      collectgarbage()
      if #reqs == 0 then error("no requests in " .. prefix .. "." .. id) end
   end
end

-- A fixed body: set at load time, so wrk keeps its static (pre-built)
-- request and the client spends nothing per request on Lua.
local fixed_body = os.getenv("BENCH_BODY")
if fixed_body and fixed_body ~= "" then
   wrk.method = "POST"
   wrk.body = fixed_body
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

if os.getenv("BENCH_REQS") and os.getenv("BENCH_REQS") ~= "" then
   request = function()
      pos = pos + 1
      if pos > #reqs then
         pos = 1
         wrapped = wrapped + 1
      end
      sent = sent + 1
      return reqs[pos]
   end
end
-- Otherwise no request(): wrk sends its static request, "sent" stays 0.

function response(status, headers, body)
   if status >= 200 and status < 300 then
      ok = ok + 1
   else
      non2xx = non2xx + 1
      if non2xx <= 3 then
         io.stderr:write(string.format("non-2xx answer %d: %s\n", status,
            string.sub(body or "", 1, 200)))
      end
   end
end

function done(summary, latency, requests)
   local tok, tnon, tsent, twrap = 0, 0, 0, 0
   for _, t in ipairs(threads) do
      tok = tok + t:get("ok")
      tnon = tnon + t:get("non2xx")
      tsent = tsent + t:get("sent")
      twrap = twrap + t:get("wrapped")
   end
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d ok=%d non2xx=%d " ..
      "sent=%d wrapped=%d errors=%d\n",
      summary.requests / secs, latency:percentile(50) / 1000,
      latency:percentile(99) / 1000, summary.requests, tok, tnon, tsent, twrap,
      summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.status + summary.errors.timeout))
end
