#include "api-model/json_fields.h"

namespace wharf::api {
namespace detail {

using nlohmann::json;

std::string ReadValue(const json& j, std::string& out) {
  if (!j.is_string()) return "a string";
  out = j.get<std::string>();
  return "";
}

std::string ReadValue(const json& j, std::int64_t& out) {
  if (!j.is_number_integer()) return "an integer";
  out = j.get<std::int64_t>();
  return "";
}

std::string ReadValue(const json& j, int& out) {
  if (!j.is_number_integer()) return "an integer";
  out = j.get<int>();
  return "";
}

std::string ReadValue(const json& j, double& out) {
  if (!j.is_number()) return "a number";
  out = j.get<double>();
  return "";
}

std::string ReadValue(const json& j, bool& out) {
  if (!j.is_boolean()) return "true or false";
  out = j.get<bool>();
  return "";
}

std::string ReadValue(const json& j, json& out) {
  out = j;
  return "";
}

std::string ReadValue(const json& j, std::vector<std::string>& out) {
  if (!j.is_array()) return "a list of strings";
  out.clear();
  for (const json& item : j) {
    if (!item.is_string()) return "a list of strings";
    out.push_back(item.get<std::string>());
  }
  return "";
}

std::string ReadValue(const json& j, std::map<std::string, std::string>& out) {
  if (!j.is_object()) return "an object of strings";
  out.clear();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_string()) return "an object of strings";
    out[it.key()] = it->get<std::string>();
  }
  return "";
}

}  // namespace detail

FieldReader::FieldReader(const nlohmann::json& j, std::string what) : object_(j), what_(std::move(what)) {}

Status FieldReader::Fail(std::string_view key, const std::string& error) const {
  std::string path(key);
  std::string rest = error;
  while (rest.starts_with("[")) {
    std::size_t close = rest.find(']');
    path += rest.substr(0, close + 1);
    rest = rest.substr(close + 1);
  }
  if (rest.starts_with("!")) {
    // A nested struct's message: "<its what>: field '<inner>' <tail>" or "<its what>: must be an object".
    const std::string nested = rest.substr(1);
    const std::string marker = ": field '";
    std::size_t at = nested.find(marker);
    if (at != std::string::npos) {
      std::size_t start = at + marker.size();
      std::size_t end = nested.find('\'', start);
      return Status::InvalidArgument(what_ + ": field '" + path + "." + nested.substr(start, end - start) +
                                     nested.substr(end));
    }
    return Status::InvalidArgument(what_ + ": field '" + path + "' must be an object");
  }
  return Status::InvalidArgument(what_ + ": field '" + path + "' must be " + rest);
}

}  // namespace wharf::api
