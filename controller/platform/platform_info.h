// Facts about this wharfd that services and handlers report (GET /v1/info,
// VCAP_APPLICATION). Filled by the composition root before the API serves.
#pragma once

#include <string>
#include <vector>

#include "controller/platform/bootstrap.h"

namespace wharf::controller {

struct PlatformInfo {
  std::string version;           // "0.1.0"
  std::string domain;            // the shared domain from --domain
  std::string api_url;           // "http://127.0.0.1:9022"
  std::string router_url;        // "http://localhost:8080"
  std::string admin_token_file;  // absolute path
  std::vector<std::string> roles;
  Tenancy tenancy;               // default org and space
};

}  // namespace wharf::controller
