#include "state/platform/settings_store.h"

namespace wharf::state {

Result<std::optional<std::string>> SettingsStore::Get(std::string_view key) {
  return FetchOne<std::string>(tx_.Query("SELECT value FROM settings WHERE key = ?", key),
                               [](Statement& st) { return Result<std::string>(st.Text(0)); });
}

Status SettingsStore::Put(std::string_view key, std::string_view value, std::string_view now) {
  return tx_.Run(
      "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      key, value, now);
}

}  // namespace wharf::state
