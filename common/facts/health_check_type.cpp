#include "common/facts/health_check_type.h"

#include <string>

namespace wharf {

std::string_view HealthCheckTypeName(HealthCheckType type) {
  switch (type) {
    case HealthCheckType::kPort: return "port";
    case HealthCheckType::kHttp: return "http";
    case HealthCheckType::kProcess: return "process";
  }
  return "port";
}

Result<HealthCheckType> ParseHealthCheckType(std::string_view text) {
  for (HealthCheckType type : {HealthCheckType::kPort, HealthCheckType::kHttp, HealthCheckType::kProcess}) {
    if (text == HealthCheckTypeName(type)) return type;
  }
  return Status::InvalidArgument("health check type '" + std::string(text) + "' is not one of port, http, process");
}

HealthCheckType DefaultHealthCheckType(std::string_view process_type) {
  return process_type == "web" ? HealthCheckType::kPort : HealthCheckType::kProcess;
}

}  // namespace wharf
