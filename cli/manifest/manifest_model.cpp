// The manifest model's small behaviours: the health check type alias "none", process
// spec overlays, route syntax.
#include "cli/manifest/manifest.h"

#include "common/facts/names.h"

namespace wharf::cli {

Result<HealthCheckType> ParseManifestHealthCheckType(std::string_view text, bool* deprecated) {
  if (deprecated != nullptr) *deprecated = text == "none";
  if (text == "none") return HealthCheckType::kProcess;
  return ParseHealthCheckType(text);
}

bool ProcessSpec::IsEmpty() const {
  return !command && !reset_command && !instances && !memory_mb && !disk_mb && !log_rate_limit && !health_check_type &&
         !health_check_endpoint && !health_check_invocation_timeout && !timeout && !readiness_type &&
         !readiness_endpoint && !readiness_invocation_timeout && !readiness_interval;
}

void ProcessSpec::OverlayWith(const ProcessSpec& o) {
  if (o.command || o.reset_command) {
    command = o.command;
    reset_command = o.reset_command;
  }
  if (o.instances) instances = o.instances;
  if (o.memory_mb) memory_mb = o.memory_mb;
  if (o.disk_mb) disk_mb = o.disk_mb;
  if (o.log_rate_limit) log_rate_limit = o.log_rate_limit;
  if (o.health_check_type) health_check_type = o.health_check_type;
  if (o.health_check_endpoint) health_check_endpoint = o.health_check_endpoint;
  if (o.health_check_invocation_timeout) health_check_invocation_timeout = o.health_check_invocation_timeout;
  if (o.timeout) timeout = o.timeout;
  if (o.readiness_type) readiness_type = o.readiness_type;
  if (o.readiness_endpoint) readiness_endpoint = o.readiness_endpoint;
  if (o.readiness_invocation_timeout) readiness_invocation_timeout = o.readiness_invocation_timeout;
  if (o.readiness_interval) readiness_interval = o.readiness_interval;
}

ProcessSpec& AppSpec::Process(std::string_view type) {
  for (ProcessSpec& p : processes) {
    if (p.type == type) return p;
  }
  ProcessSpec p;
  p.type = std::string(type);
  if (type == "web") {
    processes.insert(processes.begin(), p);
    return processes.front();
  }
  processes.push_back(p);
  return processes.back();
}

Status ValidateRouteSyntax(std::string_view route) {
  std::string r(route);
  if (r.find("://") != std::string::npos) {
    return Status::InvalidArgument("route '" + r + "' must not include a scheme; write HOST.DOMAIN[/PATH]");
  }
  std::size_t slash = r.find('/');
  std::string host_domain = r.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : r.substr(slash);
  if (host_domain.find(':') != std::string::npos) {
    return Status::InvalidArgument("route '" + r + "' has a port; tcp routes are not supported by wharf");
  }
  Status s = ValidateDomainName(host_domain);
  if (!s.ok()) return Status::InvalidArgument("route '" + r + "': " + s.message());
  if (!path.empty()) {
    if (path.size() < 2) return Status::InvalidArgument("route '" + r + "': a path must not be just '/'");
    for (char c : path) {
      if (c == ' ' || c == '?' || c == '#' || static_cast<unsigned char>(c) < 0x20) {
        return Status::InvalidArgument("route '" + r + "': the path must not contain spaces, '?' or '#'");
      }
    }
  }
  return Status::Ok();
}

}  // namespace wharf::cli
