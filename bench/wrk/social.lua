-- The social workload of issue 5, for wrk (LuaJIT):
--   60% GET  /api/users/<u>/timeline     with u's bearer token (home timeline)
--   30% GET  /api/users/<v>/collection   of a random user v (public)
--   10% POST /api/users/<u>/collection   a micropost by u, with u's token
-- u and v are drawn uniformly from every seeded user, so the load spreads
-- across many users. Tokens come from the file bench/seed_social.py writes
-- ("username token" per line), given after `--`:
--
--   wrk -t2 -c64 -d10s --latency -s bench/wrk/social.lua http://127.0.0.1:PORT -- /tmp/dir/tokens.txt
--
-- Each wrk thread runs this file in its own Lua state: the users are loaded
-- once per thread, in init().

local users = {}
local tokens = {}
local count = 0
local counter = 0

function init(args)
  local path = args[1]
  if path == nil then
    error("social.lua: pass the tokens file after --")
  end
  local file = assert(io.open(path, "r"))
  for line in file:lines() do
    local name, token = line:match("^(%S+)%s+(%S+)$")
    if name then
      count = count + 1
      users[count] = name
      tokens[count] = token
    end
  end
  file:close()
  if count == 0 then
    error("social.lua: no users in " .. path)
  end
  -- Distinct random streams per thread (wrk threads start in the same second).
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  counter = counter + 1
  local i = math.random(count)
  local roll = math.random(100)
  if roll <= 60 then
    return wrk.format("GET", "/api/users/" .. users[i] .. "/timeline",
                      { ["Authorization"] = "Bearer " .. tokens[i] })
  elseif roll <= 90 then
    return wrk.format("GET", "/api/users/" .. users[math.random(count)] .. "/collection", {})
  else
    local body = '{"text": "bench post ' .. counter .. ' from ' .. users[i] .. '"}'
    return wrk.format("POST", "/api/users/" .. users[i] .. "/collection",
                      { ["Authorization"] = "Bearer " .. tokens[i],
                        ["Content-Type"] = "application/json" }, body)
  end
end
