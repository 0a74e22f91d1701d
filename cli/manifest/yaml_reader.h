// Typed reading of YAML values with positioned errors, for the manifest
// parser. Every problem is recorded (not thrown) as
// "FILE:LINE:COLUMN: PATH: message", so one run reports all of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace wharf::cli {

class YamlReader {
 public:
  explicit YamlReader(std::string file_name) : file_(std::move(file_name)) {}

  // "manifest.yml:3:13" (1-based), or the file name when the node has no position.
  std::string Where(const YAML::Node& node) const;

  void Error(const YAML::Node& at, std::string_view path, std::string_view message);
  void Warn(const YAML::Node& at, std::string_view path, std::string_view message);

  // Each returns nullopt (after recording an error) when the value has the wrong type.
  std::optional<std::string> String(const YAML::Node& node, std::string_view path);
  std::optional<std::int64_t> Integer(const YAML::Node& node, std::string_view path, std::int64_t min,
                                      std::int64_t max = INT64_MAX);
  std::optional<bool> Boolean(const YAML::Node& node, std::string_view path);
  std::optional<std::int64_t> Megabytes(const YAML::Node& node, std::string_view path);
  // Bytes per second (1K, 16K, 1M) or -1 for unlimited.
  std::optional<std::int64_t> LogRateLimit(const YAML::Node& node, std::string_view path);
  std::optional<std::vector<std::string>> StringList(const YAML::Node& node, std::string_view path);

  // Messages in the order of their position in the file.
  std::vector<std::string> errors() const { return Sorted(errors_); }
  std::vector<std::string> warnings() const { return Sorted(warnings_); }
  std::size_t error_count() const { return errors_.size(); }

 private:
  struct Message {
    int line;
    int column;
    std::string text;
  };
  static std::vector<std::string> Sorted(std::vector<Message> messages);
  Message Make(const YAML::Node& at, std::string_view path, std::string_view message) const;

  std::string file_;
  std::vector<Message> errors_;
  std::vector<Message> warnings_;
};

// "a map", "a list", "a string", "empty" — for "must be X, not Y" messages.
std::string_view DescribeNode(const YAML::Node& node);

}  // namespace wharf::cli
