#include "controller/services/apps/app_env.h"

namespace wharf::controller {

nlohmann::json BuildVcapApplication(const AppEnvInput& in) {
  // application_version changes with every new droplet, as in Cloud Foundry.
  std::string version = in.app.current_droplet_guid.value_or(in.app.guid);
  const Tenancy& where = in.where != nullptr ? *in.where : in.platform.tenancy;
  nlohmann::json limits = {{"fds", 16384}};
  limits["mem"] = in.web ? in.web->memory_in_mb : 1024;
  limits["disk"] = in.web ? in.web->disk_in_mb : 1024;
  return {
      {"application_id", in.app.guid},
      {"application_name", in.app.name},
      {"application_uris", in.uris},
      {"application_version", version},
      {"cf_api", in.platform.api_url},
      {"limits", limits},
      {"name", in.app.name},
      {"organization_id", where.org.guid},
      {"organization_name", where.org.name},
      {"process_id", in.web ? nlohmann::json(in.web->guid) : nlohmann::json(nullptr)},
      {"process_type", "web"},
      {"space_id", where.space.guid},
      {"space_name", where.space.name},
      {"uris", in.uris},
      {"users", nullptr},
      {"version", version},
  };
}

nlohmann::json BuildAppEnv(const AppEnvInput& in) {
  return {{"environment_variables", in.app.environment_variables},
          {"system_env_json", {{"VCAP_SERVICES", in.vcap_services}}},
          {"application_env_json", {{"VCAP_APPLICATION", BuildVcapApplication(in)}}}};
}

}  // namespace wharf::controller
