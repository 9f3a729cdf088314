-- Fan-out check for wrk (LuaJIT): fetch every follower's home timeline, as
-- fast as wrk can, in rounds, until a whole round after the last answer that
-- lacked a given micropost contained it; report when (wall clock) that round
-- ended. Responses cannot be matched to users, so a round is counted in
-- answers in a row that contained the post: every user of the thread is
-- fetched once in any `count` consecutive requests.
-- bench/seed_social.py fanout runs it right after the post was answered:
--
--   wrk -t2 -c32 -d2s -s bench/wrk/fanout.lua http://127.0.0.1:PORT -- tokens.txt POST_ID 2
--
-- (the last argument repeats -t: init() runs before later threads exist).
-- Thread k of n takes the lines k, k+n, k+2n, ... of the tokens file; once a
-- full round of its share found the post it sends cheap GET /health requests
-- until wrk stops, which are not counted. Result line (printed by done()):
--   fanout-wrk: users=N checked=C found=F other=O done=D first_ms=T0 last_ms=T1 last_miss_ms=T2
-- with T0 (first answer with the post), T1 (the latest thread's complete
-- round) and T2 (the last answer without it, 0 if none) in Unix milliseconds;
-- a round counts `count` + 32 answers, as answers on different connections
-- can overtake each other;
-- D counts the threads that completed a round.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } hypha_timespec;
  int clock_gettime(int clk_id, hypha_timespec *tp);
]]
local ts = ffi.new("hypha_timespec")
local function now_ms()
  ffi.C.clock_gettime(0, ts)  -- CLOCK_REALTIME
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local users, tokens, count = {}, {}, 0
local sent = 0
local post_id
checked, found, other, first_ms, last_ms, total = 0, 0, 0, 0, 0, 0
last_miss_ms, streak, complete = 0, 0, 0

function init(args)
  local path = args[1]
  post_id = args[2]
  local nthreads = tonumber(args[3] or "")
  if path == nil or post_id == nil or nthreads == nil then
    error("fanout.lua: pass the tokens file, the micropost id and the thread count after --")
  end
  local line_no = 0
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    local name, token = line:match("^(%S+)%s+(%S+)$")
    if name then
      if line_no % nthreads == id then
        count = count + 1
        users[count] = name
        tokens[count] = token
      end
      line_no = line_no + 1
    end
  end
  file:close()
  total = count
end

local primed = false

function request()
  -- wrk calls request() once on thread 0 before sending anything, to check
  -- it (script_verify_request); a first /health in every thread absorbs that.
  if not primed then
    primed = true
    return wrk.format("GET", "/health")
  end
  if complete == 0 and count > 0 then
    local i = sent % count + 1  -- round after round through this thread's users
    sent = sent + 1
    return wrk.format("GET", "/api/users/" .. users[i] .. "/timeline?size=5",
                      { ["Authorization"] = "Bearer " .. tokens[i] })
  end
  return wrk.format("GET", "/health")
end

function response(status, headers, body)
  if body:find('"result"', 1, true) == nil then
    -- /health answers (or errors): only count timeline pages
    if body:find('"status"', 1, true) == nil then other = other + 1 end
    return
  end
  if complete == 1 then return end
  checked = checked + 1
  local t = now_ms()
  if status == 200 and body:find('"id":"' .. post_id .. '"', 1, true) then
    found = found + 1
    if first_ms == 0 then first_ms = t end
    streak = streak + 1
    -- A round since the last miss, plus the answers that can overtake each
    -- other (one request in flight per connection, at most 32 connections).
    if streak >= count + 32 then
      complete = 1
      last_ms = t
    end
  else
    last_miss_ms = t
    streak = 0
  end
end

function done(summary, latency, requests)
  local users_total, c, f, o, d, t0, t1, t2 = 0, 0, 0, 0, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    users_total = users_total + thread:get("total")
    c = c + thread:get("checked")
    f = f + thread:get("found")
    o = o + thread:get("other")
    d = d + thread:get("complete")
    local a, b, m = thread:get("first_ms"), thread:get("last_ms"), thread:get("last_miss_ms")
    if a ~= 0 and (t0 == 0 or a < t0) then t0 = a end
    if b > t1 then t1 = b end
    if m > t2 then t2 = m end
  end
  io.write(string.format("fanout-wrk: users=%d checked=%d found=%d other=%d done=%d first_ms=%.1f last_ms=%.1f " ..
                         "last_miss_ms=%.1f\n", users_total, c, f, o, d, t0, t1, t2))
end
