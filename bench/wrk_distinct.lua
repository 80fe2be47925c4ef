-- wrk script: every request a different search, so that the server's result cache (256
-- entries) never answers and what is measured is the search itself. 320 requests in all:
-- 10 words that occur in the generated corpora x 8 prefectures x relevance or date order x
-- first or second page, each filtered to documents (the page's JSON query). Each wrk thread
-- walks its own share of the list in turn (pass the thread count after `--`). Used by bench/run.sh.
local words = {"科普", "活动", "科技", "青少年", "大篷车", "培训", "宣传栏", "院士", "科学素质", "总结"}
local places = {"西宁市", "海东市", "海北州", "黄南州", "海南州", "果洛州", "玉树州", "海西州"}
local sorts = {"", "&sort=date_desc"}
local pages = {"", "&offset=20"}

local function enc(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local paths = {}
for _, w in ipairs(words) do
  for _, p in ipairs(places) do
    for _, s in ipairs(sorts) do
      for _, o in ipairs(pages) do
        paths[#paths + 1] = "/api/search?q=" .. enc(w) .. "&f=prefecture:" .. enc(p) .. "&f=media:document" .. s .. o
      end
    end
  end
end

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local n, step
-- The number of wrk threads comes after "--" on wrk's command line (default 2).
function init(args)
  step = tonumber(args[1]) or 2
  n = id
end

function request()
  n = (n + step) % #paths
  return wrk.format("GET", paths[n + 1])
end
