// Facts about this wharfd that services and handlers report (GET /v1/info,
// VCAP_APPLICATION). Filled by the composition root before the API serves.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "controller/platform/bootstrap.h"
#include "stacks/stack_catalog.h"

namespace wharf::controller {

// The host name, on the shared domain, of the route the router serves for the platform's
// autoscaler metrics forwarder (apps post custom metrics there). Reserved: no app may map it.
inline constexpr std::string_view kAutoscalerMetricsHost = "autoscaler-metrics";

struct PlatformInfo {
  std::string version;           // "0.1.0"
  std::string domain;            // the shared domain from --domain
  std::string api_url;           // "http://127.0.0.1:9022"
  std::string router_url;        // "http://localhost:8080"
  // Where apps post custom metrics, through the router: "http://autoscaler-metrics.localhost:8080".
  std::string metrics_url;
  std::string admin_token_file;  // absolute path
  std::vector<std::string> roles;
  Tenancy tenancy;               // default org and space
  stacks::StackSource stacks;    // the stacks apps may run on (GET /v1/stacks, lifecycle.stack)
};

}  // namespace wharf::controller
