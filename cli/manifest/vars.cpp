#include "cli/manifest/vars.h"

#include <regex>
#include <set>
#include <vector>

namespace wharf::cli {
namespace {

const std::regex& PlaceholderRegex() {
  static const std::regex re(R"(\(\(([-/.\w]+)\)\))");
  return re;
}

std::string Where(std::string_view file, const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return std::string(file);
  return std::string(file) + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

struct Substituter {
  const Variables& vars;
  std::string_view file;
  std::vector<std::string> errors;
  std::set<std::string> reported;

  void Report(const YAML::Node& at, const std::string& why) {
    std::string line = Where(file, at) + ": " + why;
    if (reported.insert(line).second) errors.push_back(line);
  }

  void Visit(YAML::Node node) {
    if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) Visit(it->second);
    } else if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i) Visit(node[i]);
    } else if (node.IsScalar()) {
      VisitScalar(node);
    }
  }

  void VisitScalar(YAML::Node node) {
    const std::string text = node.Scalar();
    if (text.find("((") == std::string::npos) return;
    std::smatch whole;
    if (std::regex_match(text, whole, PlaceholderRegex())) {
      const std::string name = whole[1].str();
      const YAML::Node* value = vars.Find(name);
      if (value == nullptr) return Undefined(node, name);
      if (value->IsScalar()) {
        node = value->Scalar();  // keeps this node's position for later error messages
      } else {
        node = YAML::Clone(*value);
      }
      return;
    }
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), PlaceholderRegex());
    std::size_t last = 0;
    bool failed = false;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const std::smatch& m = *it;
      out += text.substr(last, static_cast<std::size_t>(m.position(0)) - last);
      last = static_cast<std::size_t>(m.position(0) + m.length(0));
      const std::string name = m[1].str();
      const YAML::Node* value = vars.Find(name);
      if (value == nullptr) {
        Undefined(node, name);
        failed = true;
      } else if (!value->IsScalar()) {
        Report(node, "variable ((" + name + ")) is a list or map and cannot be part of the string '" + text + "'");
        failed = true;
      } else {
        out += value->Scalar();
      }
    }
    out += text.substr(last);
    if (!failed) node = out;
  }

  void Undefined(const YAML::Node& at, const std::string& name) {
    Report(at, "variable ((" + name + ")) is not defined; pass --var " + name + "=VALUE or a --vars-file that sets it");
  }
};

}  // namespace

Status Variables::AddAssignment(std::string_view assignment) {
  std::size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("--var '" + std::string(assignment) + "' must look like NAME=VALUE");
  }
  from_flags_[std::string(assignment.substr(0, eq))] = YAML::Node(std::string(assignment.substr(eq + 1)));
  return Status::Ok();
}

Status Variables::AddFile(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    return Status::InvalidArgument("cannot read vars file " + file.string());
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(file.string() + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) {
    return Status::InvalidArgument(Where(file.string(), root) + ": a vars file must be a map of NAME: VALUE");
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it->first.IsScalar()) {
      return Status::InvalidArgument(Where(file.string(), it->first) + ": variable names must be strings");
    }
    from_files_[it->first.Scalar()] = it->second;
  }
  return Status::Ok();
}

const YAML::Node* Variables::Find(const std::string& name) const {
  if (auto it = from_flags_.find(name); it != from_flags_.end()) return &it->second;
  if (auto it = from_files_.find(name); it != from_files_.end()) return &it->second;
  return nullptr;
}

Status SubstituteVariables(YAML::Node& root, const Variables& vars, std::string_view file_name) {
  Substituter s{vars, file_name, {}, {}};
  s.Visit(root);
  if (s.errors.empty()) return Status::Ok();
  std::string message;
  for (const std::string& e : s.errors) message += (message.empty() ? "" : "\n") + e;
  return Status::InvalidArgument(message);
}

}  // namespace wharf::cli
