#include "runtime/environment.h"

#include <nlohmann/json.hpp>

#include "common/facts/vcap.h"

namespace wharf::runtime {

using nlohmann::json;

namespace {

// The launcher, run as `bash -c SCRIPT wharf-launcher START_COMMAND`.
constexpr const char* kLauncher = R"(__wharf_start=$1
cd "${HOME:-/home/vcap/app}" || exit 1
if [ -d ../profile.d ]; then
  for __wharf_f in ../profile.d/*; do [ -f "$__wharf_f" ] && [ -r "$__wharf_f" ] && . "$__wharf_f"; done
fi
if [ -d .profile.d ]; then
  for __wharf_f in .profile.d/*.sh; do [ -f "$__wharf_f" ] && [ -r "$__wharf_f" ] && . "$__wharf_f"; done
fi
if [ -f .profile ] && [ -r .profile ]; then . ./.profile; fi
unset __wharf_f
exec bash -c "$__wharf_start"
)";

// DATABASE_URL, as CF derives it: the first binding credential "uri" with a database scheme.
std::string DatabaseUrl(const json& services) {
  for (const auto& [label, bindings] : services.items()) {
    if (!bindings.is_array()) continue;
    for (const auto& b : bindings) {
      if (!b.is_object() || !b.contains("credentials") || !b["credentials"].is_object()) continue;
      const json& c = b["credentials"];
      if (!c.contains("uri") || !c["uri"].is_string()) continue;
      std::string uri = c["uri"];
      for (const char* scheme : {"postgres://", "postgresql://", "mysql://", "mysql2://"}) {
        if (uri.rfind(scheme, 0) == 0) return uri;
      }
    }
  }
  return "";
}

}  // namespace

std::string VcapApplicationJson(const InstanceDescription& i) {
  json j = {
      {"application_id", i.app_guid},
      {"application_name", i.app_name},
      {"application_uris", i.uris},
      {"application_version", i.version},
      {"cf_api", i.cf_api},
      {"limits", {{"disk", i.disk_mb}, {"fds", i.fds}, {"mem", i.memory_mb}}},
      {"name", i.app_name},
      {"organization_id", i.org_guid},
      {"organization_name", i.org_name},
      {"process_id", i.process_guid},
      {"process_type", i.process_type},
      {"space_id", i.space_guid},
      {"space_name", i.space_name},
      {"uris", i.uris},
      {"users", nullptr},
      {"version", i.version},
      {"instance_id", i.instance_guid},
      {"instance_index", i.index},
  };
  return j.dump();
}

Result<std::map<std::string, std::string>> BuildInstanceEnv(const InstanceDescription& i) {
  json services;
  try {
    services = json::parse(i.vcap_services.empty() ? "{}" : i.vcap_services);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("VCAP_SERVICES is not JSON: ") + e.what());
  }
  if (!services.is_object()) return Status::InvalidArgument("VCAP_SERVICES must be a JSON object");

  std::map<std::string, std::string> env = i.user_env;
  std::string db = DatabaseUrl(services);
  if (!db.empty() && !env.count("DATABASE_URL")) env["DATABASE_URL"] = db;
  env["VCAP_APPLICATION"] = VcapApplicationJson(i);
  env["VCAP_SERVICES"] = services.dump();
  env["CF_INSTANCE_INDEX"] = std::to_string(i.index);
  env["INSTANCE_INDEX"] = std::to_string(i.index);
  env["CF_INSTANCE_GUID"] = i.instance_guid;
  env["INSTANCE_GUID"] = i.instance_guid;
  env["MEMORY_LIMIT"] = std::to_string(i.memory_mb) + "m";
  env["HOME"] = kVcapAppDir;
  env["PWD"] = kVcapAppDir;
  env["TMPDIR"] = std::string(kVcapHome) + "/tmp";
  env["DEPS_DIR"] = std::string(kVcapHome) + "/deps";
  env["USER"] = "vcap";
  env["VCAP_APP_HOST"] = "0.0.0.0";
  if (!env.count("LANG")) env["LANG"] = "C.UTF-8";  // en_US.UTF-8 (CF's) is often not generated on hosts
  if (!env.count("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  return env;
}

std::vector<std::string> LauncherArgv(const std::string& start_command) {
  return {"/bin/bash", "-c", kLauncher, "wharf-launcher", start_command};
}

}  // namespace wharf::runtime
