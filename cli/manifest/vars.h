// ((variable)) substitution in manifests, as the cf CLI does it: values come
// from --vars-file files (YAML maps; a later file overrides an earlier one) and
// --var NAME=VALUE flags (which override every file). A placeholder that is the
// whole value takes the variable's value with its type (a number, a list, a
// map); one inside a longer string is replaced by the variable's text.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "common/status.h"

namespace wharf::cli {

class Variables {
 public:
  // Adds "NAME=VALUE" from a --var flag. The value may be empty or contain '='.
  Status AddAssignment(std::string_view assignment);
  // Adds every top-level entry of a YAML map file. Errors name the file (and
  // line and column for syntax errors).
  Status AddFile(const std::filesystem::path& file);
  // The value for `name`, or nullptr. --var values win over file values.
  const YAML::Node* Find(const std::string& name) const;

 private:
  std::map<std::string, YAML::Node> from_flags_;
  std::map<std::string, YAML::Node> from_files_;
};

// Replaces every ((name)) in the scalar values of `root` (in place; map keys
// are left alone). Every undefined variable is reported, each with
// "file:line:column", in one error.
Status SubstituteVariables(YAML::Node& root, const Variables& vars, std::string_view file_name);

}  // namespace wharf::cli
