#include "stager/droplet/procfile.h"

#include <cctype>

namespace wharf::stager {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsTypeChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front() &&
      v.substr(1, v.size() - 2).find(v.front()) == std::string_view::npos) {
    return std::string(v.substr(1, v.size() - 2));
  }
  return std::string(v);
}

}  // namespace

Result<ProcessTypes> ParseProcfile(std::string_view text, std::string_view file_name) {
  ProcessTypes types;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    auto where = [&] { return std::string(file_name) + " line " + std::to_string(line_no) + ": "; };
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument(where() + "expected 'type: command', got '" + std::string(line) + "'");
    }
    std::string_view type = Trim(line.substr(0, colon));
    if (type.empty()) return Status::InvalidArgument(where() + "the process type before ':' is empty");
    for (char c : type) {
      if (!IsTypeChar(c)) {
        return Status::InvalidArgument(where() + "process type '" + std::string(type) +
                                       "' may only hold letters, digits, '_' and '-'");
      }
    }
    std::string command = Unquote(Trim(line.substr(colon + 1)));
    if (command.empty()) {
      return Status::InvalidArgument(where() + "process type '" + std::string(type) + "' has an empty command");
    }
    if (!types.emplace(std::string(type), std::move(command)).second) {
      return Status::InvalidArgument(where() + "process type '" + std::string(type) + "' is given twice");
    }
  }
  return types;
}

}  // namespace wharf::stager
