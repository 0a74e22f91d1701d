// The process environment as a dependency, so tests can set WHARF_HOME,
// WHARF_API and friends without touching the real environment.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wharf::cli {

class Environment {
 public:
  virtual ~Environment() = default;
  // The value of variable `name`, or nullopt when unset. An empty value counts as unset.
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
};

// Reads the real process environment.
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> Get(std::string_view name) const override;
};

// A fixed map; for tests.
class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  std::optional<std::string> Get(std::string_view name) const override;
  void Set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string> vars_;
};

}  // namespace wharf::cli
