-- PUT a new list entry per request: distinct IPs, so every request is a durable write.
local key = os.getenv("API_KEY") or ""
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local path = wrk.path .. string.format("172.%d.%d.%d", thread_id, math.floor(counter / 256) % 256, counter % 256) .. "-" .. counter
  return wrk.format("PUT", path, {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"},
                    '{"reason":"load test"}')
end
