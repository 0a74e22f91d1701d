#include "controller/http/json_fields.h"

#include <set>
#include <string>
#include <vector>

namespace wharf::controller {
namespace {

Status WrongType(const std::string& path, std::string_view expected) {
  return Status::InvalidArgument("field '" + path + "' must be " + std::string(expected));
}

}  // namespace

Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("the request body is empty; expected a JSON object");
  }
  nlohmann::json value;
  // A field named twice in one object would silently keep its last value (issue 10): refused.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto watch = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) {
      open_objects.emplace_back();
    } else if (event == Event::object_end && !open_objects.empty()) {
      open_objects.pop_back();
    } else if (event == Event::key && !open_objects.empty() && parsed.is_string()) {
      if (!open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
        duplicate = parsed.get<std::string>();
      }
    }
    return true;
  };
  try {
    value = nlohmann::json::parse(body, watch);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument("the request body is not valid JSON (at byte " + std::to_string(e.byte) +
                                   "): " + e.what());
  } catch (const nlohmann::json::exception& e) {
    // A number past a double's range ("1e999999") is out_of_range, not a parse_error (found by
    // tests/fuzz/fuzz_api_json: it was a 500).
    return Status::InvalidArgument(std::string("the request body is not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) {
    return Status::InvalidArgument("the request body names field '" + duplicate + "' twice in one object");
  }
  if (!value.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return value;
}

JsonFields::JsonFields(const nlohmann::json& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {}

std::string JsonFields::PathOf(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

const nlohmann::json* JsonFields::Find(std::string_view key) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

bool JsonFields::Has(std::string_view key) const { return Find(key) != nullptr; }

Status JsonFields::OnlyKnown(std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : object_.items()) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == key;
    if (!ok) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Status::InvalidArgument("unknown field '" + PathOf(key) + "' (expected " + list + ")");
    }
  }
  return Status::Ok();
}

Result<std::string> JsonFields::RequiredString(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_null()) return Status::InvalidArgument("field '" + PathOf(key) + "' is required");
  if (!v->is_string()) return WrongType(PathOf(key), "a string");
  return v->get<std::string>();
}

Result<std::optional<std::string>> JsonFields::String(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(PathOf(key), "a string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<std::optional<std::string>>> JsonFields::NullableString(std::string_view key) const {
  using Out = std::optional<std::optional<std::string>>;
  const nlohmann::json* v = Find(key);
  if (v == nullptr) return Out();
  if (v->is_null()) return Out(std::optional<std::string>());
  if (!v->is_string()) return WrongType(PathOf(key), "a string or null");
  return Out(std::optional<std::string>(v->get<std::string>()));
}

Result<std::optional<std::int64_t>> JsonFields::Integer(std::string_view key, std::int64_t min,
                                                        std::int64_t max) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>();
  std::string expected = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v->is_number_integer()) return WrongType(PathOf(key), expected);
  std::int64_t n = 0;
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) return WrongType(PathOf(key), expected);
    n = static_cast<std::int64_t>(u);
  } else {
    n = v->get<std::int64_t>();
  }
  if (n < min || n > max) return WrongType(PathOf(key), expected + ", got " + std::to_string(n));
  return std::optional<std::int64_t>(n);
}

Result<std::optional<bool>> JsonFields::Boolean(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_null()) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(PathOf(key), "true or false");
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::vector<std::string>>> JsonFields::StringList(std::string_view key) const {
  using Out = std::optional<std::vector<std::string>>;
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_null()) return Out();
  if (!v->is_array()) return WrongType(PathOf(key), "a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    if (!item.is_string()) return WrongType(PathOf(key) + "[" + std::to_string(i) + "]", "a string");
    out.push_back(item.get<std::string>());
  }
  return Out(std::move(out));
}

Result<std::optional<std::map<std::string, std::string>>> JsonFields::StringMap(std::string_view key) const {
  using Out = std::optional<std::map<std::string, std::string>>;
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_null()) return Out();
  if (!v->is_object()) return WrongType(PathOf(key), "an object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string()) return WrongType(PathOf(key) + "." + k, "a string");
    out[k] = item.get<std::string>();
  }
  return Out(std::move(out));
}

Result<const nlohmann::json*> JsonFields::Object(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_null()) return static_cast<const nlohmann::json*>(nullptr);
  if (!v->is_object()) return WrongType(PathOf(key), "an object");
  return v;
}

Result<const nlohmann::json*> JsonFields::Array(std::string_view key) const {
  const nlohmann::json* v = Find(key);
  if (v == nullptr || v->is_null()) return static_cast<const nlohmann::json*>(nullptr);
  if (!v->is_array()) return WrongType(PathOf(key), "a list");
  return v;
}

}  // namespace wharf::controller
