// Reading and writing the fields of one JSON object, for the wire structs'
// FromJson and ToJson.
//
// Contract of FieldReader: each Required/Optional call reads one field into a
// value; the first failure is kept and later calls do nothing. A Required field
// that is missing (or null) fails with "<what>: field '<key>' is missing"; a field
// present with the wrong type fails with "<what>: field '<key>' must be <kind>"
// (e.g. "app: field 'instances' must be an integer"), whether it is required or
// optional. An Optional field that is missing or null leaves the value as it was
// (its default). Nested objects and lists name the full path of the field:
// "app: field 'processes[1].type' is missing". Every failure is kInvalidArgument.
#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

class FieldReader;

// Types a field can hold: the JSON kinds, lists and string maps of them, and
// any struct with a static FromJson(const nlohmann::json&) -> Result<T>.
namespace detail {

// Reads `j` into `out`; returns "" or the kind `j` should have been ("a string").
std::string ReadValue(const nlohmann::json& j, std::string& out);
std::string ReadValue(const nlohmann::json& j, std::int64_t& out);
std::string ReadValue(const nlohmann::json& j, int& out);
std::string ReadValue(const nlohmann::json& j, double& out);
std::string ReadValue(const nlohmann::json& j, bool& out);
std::string ReadValue(const nlohmann::json& j, nlohmann::json& out);  // any JSON value
std::string ReadValue(const nlohmann::json& j, std::vector<std::string>& out);
std::string ReadValue(const nlohmann::json& j, std::map<std::string, std::string>& out);

template <typename T>
concept WireStruct = requires(const nlohmann::json& j) {
  { T::FromJson(j) } -> std::same_as<Result<T>>;
};

}  // namespace detail

class FieldReader {
 public:
  // `j` is the object to read; `what` names it in errors ("app", "route").
  FieldReader(const nlohmann::json& j, std::string what);

  template <typename T>
  FieldReader& Required(std::string_view key, T& out) {
    Read(key, out, /*required=*/true);
    return *this;
  }
  template <typename T>
  FieldReader& Optional(std::string_view key, T& out) {
    Read(key, out, /*required=*/false);
    return *this;
  }
  template <typename T>
  FieldReader& Optional(std::string_view key, std::optional<T>& out) {
    T value{};
    if (Read(key, value, /*required=*/false)) out = std::move(value);
    return *this;
  }

  // Ok, or the first failure. With `value`, the value when ok.
  Status status() const { return status_; }
  template <typename T>
  Result<T> Finish(T value) const {
    if (!status_.ok()) return status_;
    return value;
  }

 private:
  // Reads a present, non-null field; true when it was read.
  template <typename T>
  bool Read(std::string_view key, T& out, bool required) {
    if (!status_.ok()) return false;
    if (!object_.is_object()) {
      status_ = Status::InvalidArgument(what_ + ": must be an object");
      return false;
    }
    auto it = object_.find(std::string(key));
    if (it == object_.end() || it->is_null()) {
      if (required) status_ = Status::InvalidArgument(what_ + ": field '" + std::string(key) + "' is missing");
      return false;
    }
    std::string error = ReadAny(*it, out);
    if (!error.empty()) {
      status_ = Fail(key, error);
      return false;
    }
    return true;
  }

  template <typename T>
  std::string ReadAny(const nlohmann::json& j, T& out) {
    if constexpr (detail::WireStruct<T>) {
      Result<T> r = T::FromJson(j);
      if (!r.ok()) return "!" + r.status().message();
      out = std::move(*r);
      return "";
    } else {
      return detail::ReadValue(j, out);
    }
  }

  template <typename T>
  std::string ReadAny(const nlohmann::json& j, std::vector<T>& out) {
    if constexpr (std::is_same_v<T, std::string>) {
      return detail::ReadValue(j, out);
    } else {
      if (!j.is_array()) return "a list";
      out.clear();
      for (std::size_t i = 0; i < j.size(); ++i) {
        T item{};
        std::string error = ReadAny(j[i], item);
        if (!error.empty()) return "[" + std::to_string(i) + "]" + error;
        out.push_back(std::move(item));
      }
      return "";
    }
  }

  // `error` is a kind ("a string"), "!<nested message>" or "[i]<error>".
  Status Fail(std::string_view key, const std::string& error) const;

  const nlohmann::json& object_;
  std::string what_;
  Status status_;
};

// nlohmann::json(*value) or null.
template <typename T>
nlohmann::json OrNull(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// Each item's ToJson() in a JSON list.
template <typename T>
nlohmann::json ListJson(const std::vector<T>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const T& item : items) out.push_back(item.ToJson());
  return out;
}

}  // namespace wharf::api
