#include "common/facts/names.h"

#include <string>

namespace wharf {

Status ValidateDnsLabel(std::string_view name, std::string_view what) {
  std::string w(what);
  if (name.empty()) return Status::InvalidArgument(w + " must not be empty");
  if (name.size() > 63) {
    return Status::InvalidArgument(w + " '" + std::string(name) + "' is longer than 63 characters");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return Status::InvalidArgument(w + " '" + std::string(name) +
                                     "' may contain only lowercase letters, digits and '-' (it becomes a host name)");
    }
  }
  if (name.front() == '-' || name.back() == '-') {
    return Status::InvalidArgument(w + " '" + std::string(name) + "' must not start or end with '-'");
  }
  return Status::Ok();
}

Status ValidateDomainName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("domain name must not be empty");
  if (name.size() > 253) return Status::InvalidArgument("domain name is longer than 253 characters");
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::string_view label = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    Status s = ValidateDnsLabel(label, "domain label");
    if (!s.ok()) return s.WithContext("domain '" + std::string(name) + "'");
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Status::Ok();
}

Status ValidateEnvName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("environment variable name must not be empty");
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) {
      return Status::InvalidArgument("environment variable name '" + std::string(name) +
                                     "' may contain only letters, digits and '_', and must not start with a digit");
    }
  }
  if (name.starts_with("VCAP_") || name.starts_with("CF_")) {
    return Status::InvalidArgument("environment variable name '" + std::string(name) +
                                   "' is reserved (VCAP_ and CF_ are set by the platform)");
  }
  return Status::Ok();
}

}  // namespace wharf
