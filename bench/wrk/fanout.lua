-- Fan-out check for wrk (LuaJIT): fetch every follower's home timeline once,
-- as fast as wrk can, and report how many contained a given micropost and
-- when (wall clock) the first and the last of those answers arrived.
-- bench/seed_social.py fanout runs it right after the post was answered:
--
--   wrk -t2 -c32 -d2s -s bench/wrk/fanout.lua http://127.0.0.1:PORT -- tokens.txt POST_ID 2
--
-- (the last argument repeats -t: init() runs before later threads exist).
-- Thread k of n takes the lines k, k+n, k+2n, ... of the tokens file; once its
-- share is done it sends cheap GET /health requests until wrk stops, which
-- are not counted. Result line (printed by done()):
--   fanout-wrk: users=N checked=C found=F other=O first_ms=T0 last_ms=T1
-- with T0/T1 in Unix milliseconds.

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
  if sent < count then
    sent = sent + 1
    return wrk.format("GET", "/api/users/" .. users[sent] .. "/timeline?size=5",
                      { ["Authorization"] = "Bearer " .. tokens[sent] })
  end
  return wrk.format("GET", "/health")
end

function response(status, headers, body)
  if body:find('"result"', 1, true) == nil then
    -- /health answers (or errors): only count timeline pages
    if body:find('"status"', 1, true) == nil then other = other + 1 end
    return
  end
  checked = checked + 1
  if status == 200 and body:find('"id":"' .. post_id .. '"', 1, true) then
    found = found + 1
    local t = now_ms()
    if first_ms == 0 then first_ms = t end
    last_ms = t
  end
end

function done(summary, latency, requests)
  local users_total, c, f, o, t0, t1 = 0, 0, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    users_total = users_total + thread:get("total")
    c = c + thread:get("checked")
    f = f + thread:get("found")
    o = o + thread:get("other")
    local a, b = thread:get("first_ms"), thread:get("last_ms")
    if a ~= 0 and (t0 == 0 or a < t0) then t0 = a end
    if b > t1 then t1 = b end
  end
  io.write(string.format("fanout-wrk: users=%d checked=%d found=%d other=%d first_ms=%.1f last_ms=%.1f\n",
                         users_total, c, f, o, t0, t1))
end
