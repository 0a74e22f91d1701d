// The environment an app instance sees from the platform, Cloud Foundry's shape:
// VCAP_APPLICATION (see cloudfoundry.md §4) and VCAP_SERVICES (the app's
// bindings, read by vcap_services_db.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/platform/platform_info.h"
#include "state/model.h"

namespace wharf::controller {

struct AppEnvInput {
  const state::App& app;
  const state::Process* web = nullptr;  // the web process, for limits and process_id; may be null
  std::vector<std::string> uris;   // the app's route URLs
  const PlatformInfo& platform;
  nlohmann::json vcap_services = nlohmann::json::object();
  const Tenancy* where = nullptr;  // the app's org and space (null: the platform's default ones)
};

nlohmann::json BuildVcapApplication(const AppEnvInput& in);

// {"environment_variables": {...}, "system_env_json": {"VCAP_SERVICES": {...}},
//  "application_env_json": {"VCAP_APPLICATION": {...}}}
nlohmann::json BuildAppEnv(const AppEnvInput& in);

}  // namespace wharf::controller
