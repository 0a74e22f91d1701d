#include "cli/manifest/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "common/facts/byte_size.h"

namespace wharf::cli {

std::string_view DescribeNode(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "empty";
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  return "a string";
}

std::string YamlReader::Where(const YAML::Node& node) const {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return file_;
  return file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

YamlReader::Message YamlReader::Make(const YAML::Node& at, std::string_view path, std::string_view message) const {
  YAML::Mark m = at.Mark();
  return {m.line, m.column, Where(at) + ": " + std::string(path) + ": " + std::string(message)};
}

void YamlReader::Error(const YAML::Node& at, std::string_view path, std::string_view message) {
  errors_.push_back(Make(at, path, message));
}

void YamlReader::Warn(const YAML::Node& at, std::string_view path, std::string_view message) {
  warnings_.push_back(Make(at, path, message));
}

std::vector<std::string> YamlReader::Sorted(std::vector<Message> messages) {
  std::stable_sort(messages.begin(), messages.end(), [](const Message& a, const Message& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  std::vector<std::string> out;
  for (Message& m : messages) out.push_back(std::move(m.text));
  return out;
}

std::optional<std::string> YamlReader::String(const YAML::Node& node, std::string_view path) {
  if (!node.IsScalar()) {
    Error(node, path, "must be a string, not " + std::string(DescribeNode(node)));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> YamlReader::Integer(const YAML::Node& node, std::string_view path, std::int64_t min,
                                                std::int64_t max) {
  if (!node.IsScalar()) {
    Error(node, path, "must be a whole number, not " + std::string(DescribeNode(node)));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    Error(node, path, "'" + s + "' is not a whole number");
    return std::nullopt;
  }
  if (n < min) {
    Error(node, path, "must be at least " + std::to_string(min) + ", not " + s);
    return std::nullopt;
  }
  if (n > max) {
    Error(node, path, "must be at most " + std::to_string(max) + ", not " + s);
    return std::nullopt;
  }
  return n;
}

std::optional<bool> YamlReader::Boolean(const YAML::Node& node, std::string_view path) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  Error(node, path, "must be true or false, not " +
                        (node.IsScalar() ? "'" + node.Scalar() + "'" : std::string(DescribeNode(node))));
  return std::nullopt;
}

std::optional<std::int64_t> YamlReader::LogRateLimit(const YAML::Node& node, std::string_view path) {
  if (!node.IsScalar()) {
    Error(node, path, "must be a size per second such as 16K, or -1, not " + std::string(DescribeNode(node)));
    return std::nullopt;
  }
  Result<std::int64_t> bytes = ParseLogRateLimit(node.Scalar());
  if (!bytes.ok()) {
    Error(node, path, bytes.status().message());
    return std::nullopt;
  }
  return *bytes;
}

std::optional<std::int64_t> YamlReader::Megabytes(const YAML::Node& node, std::string_view path) {
  if (!node.IsScalar()) {
    Error(node, path, "must be a size such as 256M or 1G, not " + std::string(DescribeNode(node)));
    return std::nullopt;
  }
  Result<std::int64_t> mb = ParseMegabytes(node.Scalar());
  if (!mb.ok()) {
    Error(node, path, mb.status().message());
    return std::nullopt;
  }
  return *mb;
}

std::optional<std::vector<std::string>> YamlReader::StringList(const YAML::Node& node, std::string_view path) {
  if (!node.IsSequence()) {
    Error(node, path, "must be a list of strings, not " + std::string(DescribeNode(node)));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::optional<std::string> s = String(node[i], std::string(path) + "[" + std::to_string(i) + "]");
    if (s) {
      out.push_back(*s);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace wharf::cli
