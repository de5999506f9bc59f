-- The benchmark's baseline: the work the example scrun.lua of scrun(1) does, rewritten here (not
-- copied) with the same commands and costs: `id -un`, mkdir, an rsync of the whole rootfs with the
-- man page's flags, rsync of every bind mount source, lua-json (require 'json') for config.json;
-- stage-out rsyncs the rootfs back and removes the copy. Only for bench/stage-in.mjs.
-- The scratch root is /run/user/ as in the man page, or $BASELINE_SCRATCH.
local json = require("json")
local scratch_root = os.getenv("BASELINE_SCRATCH") or "/run/user/"
local rsync = "/usr/bin/env rsync --numeric-ids --ignore-errors --stats -a -- "

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

function slurm_scrun_stage_in(id, bundle, spool_dir, config_file, job_id, user_id, group_id, job_env)
  local config = json.decode(slurp(config_file))
  local _, user = slurm.allocator_command(string.format("id -un %d", user_id))
  local dir = scratch_root .. math.floor(user_id) .. "/slurm/scrun/" .. id .. "/"
  local src = config.root.path
  if string.sub(src, 1, 1) ~= "/" then src = bundle .. "/" .. src end
  slurm.allocator_command("mkdir -p " .. dir .. "rootfs/")
  slurm.allocator_command("/usr/bin/env rsync --exclude sys --exclude proc --numeric-ids --delete-after"
    .. " --ignore-errors --stats -a -- " .. src .. "/ " .. dir .. "rootfs//")
  slurm.set_bundle_path(dir)
  slurm.set_root_path(dir .. "rootfs/")
  config.root.path = dir .. "rootfs/"
  local process = config.process or {}
  local user_ids = process.user or {}
  user_ids.additionalGids = nil
  if config.linux then
    local has_user = false
    config.linux.namespaces = config.linux.namespaces or {}
    for _, ns in ipairs(config.linux.namespaces) do has_user = has_user or ns.type == "user" end
    if not has_user then table.insert(config.linux.namespaces, { type = "user" }) end
    config.linux.uidMappings = { { containerID = user_ids.uid or 0, hostID = math.floor(user_id), size = 1 } }
    config.linux.gidMappings = { { containerID = user_ids.gid or 0, hostID = math.floor(group_id), size = 1 } }
    config.linux.cgroupsPath = nil
  end
  local mounts = {}
  for _, m in ipairs(config.mounts or {}) do
    local opts = {}
    for _, o in ipairs(m.options or {}) do
      if string.sub(o, 1, 4) ~= "uid=" and string.sub(o, 1, 4) ~= "gid=" then table.insert(opts, o) end
    end
    m.options = opts
    if m.type == "bind" and string.sub(m.source, 1, 4) ~= "/sys" and string.sub(m.source, 1, 5) ~= "/proc" then
      slurm.allocator_command(rsync .. m.source .. " " .. dir .. "rootfs/" .. m.destination)
    else
      table.insert(mounts, m)
    end
  end
  config.mounts = mounts
  process.env = process.env or {}
  for _, e in ipairs(job_env) do table.insert(process.env, e) end
  if config.hooks then config.hooks.prestart = nil end
  process.rlimits = nil
  config.ociVersion = "1.0.0"
  local f = assert(io.open(dir .. "config.json", "wb"))
  f:write(json.encode(config))
  f:close()
  return slurm.SUCCESS
end

function slurm_scrun_stage_out(id, bundle, orig_bundle, root_path, orig_root_path, spool_dir, config_file, jobid, user_id, group_id)
  if bundle == orig_bundle then return slurm.SUCCESS end
  local status = slurm.allocator_command("/usr/bin/env rsync --numeric-ids --delete-after --ignore-errors --stats -a -- "
    .. root_path .. "/ " .. orig_root_path .. "/")
  if status == 0 then
    slurm.allocator_command("/usr/bin/rm --preserve-root=all --one-file-system -dr -- " .. bundle)
  end
  return slurm.SUCCESS
end

return slurm.SUCCESS
