#include "cli/source/cfignore.h"

#include "common/file_io.h"

namespace wharf::cli {
namespace {

// Translates one gitignore glob (without '!' or a trailing '/') into an
// ECMAScript regex matching a whole '/'-separated path.
std::string GlobToRegex(std::string_view glob, bool anchored) {
  std::string re = anchored ? "^" : "^(?:.*/)?";
  for (std::size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*') {
      if (i + 1 < glob.size() && glob[i + 1] == '*') {
        bool at_start = i == 0 || glob[i - 1] == '/';
        bool slash_after = i + 2 < glob.size() && glob[i + 2] == '/';
        bool at_end = i + 2 == glob.size();
        if (at_start && slash_after) {  // "**/": zero or more folders
          re += "(?:.*/)?";
          i += 2;
          continue;
        }
        if (at_start && at_end) {  // "/**" at the end, or a lone "**": anything
          re += ".*";
          i += 1;
          continue;
        }
        re += "[^/]*";  // "a**b" behaves like "a*b" in git
        i += 1;
        continue;
      }
      re += "[^/]*";
    } else if (c == '?') {
      re += "[^/]";
    } else if (c == '[') {
      std::size_t close = glob.find(']', i + 2);
      if (close == std::string_view::npos) {
        re += "\\[";
        continue;
      }
      std::string cls(glob.substr(i + 1, close - i - 1));
      if (!cls.empty() && cls[0] == '!') cls[0] = '^';
      std::string escaped;
      for (char k : cls) {
        if (k == '\\' || k == ']') escaped += '\\';
        escaped += k;
      }
      re += "[" + escaped + "]";
      i = close;
    } else if (c == '\\' && i + 1 < glob.size()) {
      ++i;
      re += '\\';
      re += glob[i];
    } else if (std::string_view(".^$|()+{}").find(c) != std::string_view::npos) {
      re += '\\';
      re += c;
    } else {
      re += c;
    }
  }
  return re + "$";
}

constexpr std::string_view kBuiltIn =
    ".cfignore\n.DS_Store\n.git\n.gitignore\n.hg\n.svn\n_darcs\nmanifest.yml\nmanifest.yaml\n";

}  // namespace

IgnoreRules::IgnoreRules() { AddPatterns(kBuiltIn); }

void IgnoreRules::AddPatterns(std::string_view text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string line(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    while (!line.empty() && line.back() == ' ' && !(line.size() >= 2 && line[line.size() - 2] == '\\')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    Rule rule;
    if (line[0] == '!') {
      rule.negate = true;
      line.erase(0, 1);
    } else if (line.starts_with("\\!") || line.starts_with("\\#")) {
      line.erase(0, 1);
    }
    if (!line.empty() && line.back() == '/') {
      rule.folders_only = true;
      line.pop_back();
    }
    if (line.empty()) continue;
    bool anchored = line.find('/') != std::string::npos;
    if (line[0] == '/') line.erase(0, 1);
    if (line.empty()) continue;
    try {
      rule.re = std::regex(GlobToRegex(line, anchored), std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error&) {
      continue;  // a malformed class; git ignores such a pattern too
    }
    rules_.push_back(std::move(rule));
  }
}

Result<IgnoreRules> IgnoreRules::ForFolder(const std::filesystem::path& root) {
  IgnoreRules rules;
  std::filesystem::path file = root / ".cfignore";
  std::error_code ec;
  if (std::filesystem::is_regular_file(file, ec)) {
    Result<std::string> text = ReadFile(file);
    if (!text.ok()) return text.status().WithContext("reading " + file.string());
    rules.AddPatterns(*text);
  }
  return rules;
}

bool IgnoreRules::IsIgnored(std::string_view path, bool is_folder) const {
  bool ignored = false;
  std::string p(path);
  for (const Rule& rule : rules_) {
    if (rule.folders_only && !is_folder) continue;
    if (std::regex_match(p, rule.re)) ignored = !rule.negate;
  }
  return ignored;
}

}  // namespace wharf::cli
