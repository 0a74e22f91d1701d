// The environment of an app instance, as Cloud Foundry sets it, and the
// launcher that starts the app's command the way CF's launcher does.
//
// Variables that depend on the instance's address (PORT, CF_INSTANCE_IP,
// CF_INSTANCE_INTERNAL_IP, CF_INSTANCE_PORT(S), CF_INSTANCE_ADDR) are set by
// the runtime backend at Start, since only it knows the address.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::runtime {

struct InstanceDescription {
  std::string app_guid;
  std::string app_name;
  std::string version;          // changes on every push/restart (application_version)
  std::string process_guid;
  std::string process_type = "web";
  std::vector<std::string> uris;  // routes, e.g. "hello.apps.local"
  std::string space_guid, space_name, org_guid, org_name;
  std::string cf_api;           // the API's URL
  int index = 0;
  std::string instance_guid;    // new for every container
  std::int64_t memory_mb = 256;
  std::int64_t disk_mb = 1024;
  int fds = 16384;
  std::map<std::string, std::string> user_env;  // the app's own variables (env groups merged in by the caller)
  std::string vcap_services = "{}";             // JSON object, see the services component
};

// Builds the environment. User variables come first and are overridden by the
// platform's (VCAP_*, CF_INSTANCE_*, PORT, HOME, MEMORY_LIMIT, ...), as in CF.
// InvalidArgument when vcap_services is not a JSON object.
Result<std::map<std::string, std::string>> BuildInstanceEnv(const InstanceDescription& instance);

// VCAP_APPLICATION's JSON for the instance.
std::string VcapApplicationJson(const InstanceDescription& instance);

// argv that runs `start_command` as CF's launcher does: cd $HOME (/home/vcap/app),
// source ../profile.d/*, .profile.d/*.sh and .profile, then exec bash -c START_COMMAND.
std::vector<std::string> LauncherArgv(const std::string& start_command);

}  // namespace wharf::runtime
