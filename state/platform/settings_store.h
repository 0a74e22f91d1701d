// Installation settings (key -> text value) in SQL. Bound to one transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "state/sql/db.h"

namespace wharf::state {

inline constexpr std::string_view kSettingLastApiPort = "last_api_port";

class SettingsStore {
 public:
  explicit SettingsStore(Tx& tx) : tx_(tx) {}

  Result<std::optional<std::string>> Get(std::string_view key);
  Status Put(std::string_view key, std::string_view value, std::string_view now);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
