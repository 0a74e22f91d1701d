// The kind of health check a process has, Cloud Foundry's three: `port` (a TCP
// connect to the instance's port), `http` (GET of an endpoint, 200 expected) and
// `process` (healthy while the container runs). One enum and one string codec
// for the manifest (cli), the API and database (controller) and the prober (health).
#pragma once

#include <string_view>

#include "common/status.h"

namespace wharf {

enum class HealthCheckType { kPort, kHttp, kProcess };

// "port", "http", "process".
std::string_view HealthCheckTypeName(HealthCheckType type);

// The inverse of HealthCheckTypeName. Anything else (cf's deprecated "none" too:
// a caller that accepts it maps it first) is kInvalidArgument:
// "health check type 'tcp' is not one of port, http, process".
Result<HealthCheckType> ParseHealthCheckType(std::string_view text);

// The check a process gets when none is given, as Cloud Foundry decides it: `port`
// for `web`, `process` for every other type (workers listen on nothing).
HealthCheckType DefaultHealthCheckType(std::string_view process_type);

}  // namespace wharf
