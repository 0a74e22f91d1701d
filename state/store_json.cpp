#include "state/store_json.h"

namespace wharf::state {

Result<nlohmann::json> ParseJsonColumn(std::string_view text, std::string_view what) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Status::Internal("stored " + std::string(what) + " is not valid JSON");
  return value;
}

std::string DumpJsonColumn(const nlohmann::json& value) {
  // nlohmann::json objects are std::map-backed, so keys come out sorted. Invalid
  // UTF-8 is replaced rather than thrown on.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace wharf::state
