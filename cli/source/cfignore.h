// Which files of an app folder are left out of an upload: cf's built-in list
// plus the folder's .cfignore, with gitignore semantics.
//
// Built-in (as the cf CLI): .cfignore, .DS_Store, .git, .gitignore, .hg, .svn,
// _darcs, manifest.yml, manifest.yaml.
// Patterns: blank lines and '#' comments are skipped; '!' re-includes; a
// trailing '/' matches folders only; a pattern with a '/' before its end is
// anchored at the app root (a leading '/' only anchors), one without matches a
// name at any depth; '*' and '?' do not cross '/'; '**/' matches any number of
// folders, a trailing '/**' everything inside; '[abc]' is a class. The last
// matching pattern wins. As in git, nothing inside an ignored folder can be
// re-included (the walk does not enter it).
#pragma once

#include <filesystem>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::cli {

class IgnoreRules {
 public:
  // The built-in rules only.
  IgnoreRules();
  // Adds patterns from .cfignore text, after (so overriding) the current ones.
  void AddPatterns(std::string_view text);
  // Built-in rules plus `root`/.cfignore when it exists.
  static Result<IgnoreRules> ForFolder(const std::filesystem::path& root);

  // `path` is relative to the app root, '/'-separated, without a leading '/'.
  bool IsIgnored(std::string_view path, bool is_folder) const;

 private:
  struct Rule {
    std::regex re;
    bool negate = false;
    bool folders_only = false;
  };
  std::vector<Rule> rules_;
};

}  // namespace wharf::cli
