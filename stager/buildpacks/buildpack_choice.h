// What a user may name as a buildpack (`-b`, manifest `buildpacks:`), classified:
//   ""/"default"/"null"        detect from the admin-ordered list
//   nodejs_buildpack           a registered name ([A-Za-z0-9_.-]+)
//   /srv/bp/my-buildpack       a folder on the daemon's machine (holding bin/)
//   /srv/bp/my-buildpack.zip   an archive there (.zip, .tgz, .tar.gz, .tar)
//   https://host/x.git#v1.2    a git repository, optional #ref (branch, tag or commit);
//   file:///srv/repo#main      also file://, git://, ssh://, git@host:path, and a
//   /srv/repo#main             local path with a #ref
// Classification looks at the text only; the fetcher checks that it exists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::stager {

struct BuildpackChoice {
  enum class Kind { kDetect, kRegistered, kFolder, kArchive, kGit };
  Kind kind = Kind::kDetect;
  std::string value;  // name, path or URL (without #ref)
  std::string ref;    // git only; empty = the default branch
  std::string text;   // as given, for messages and as the cache key
};

Result<BuildpackChoice> ParseBuildpackChoice(std::string_view text);

// True for a choice that makes wharfd read its own file system: a folder or archive path, or a
// git repository at a path or file:// URL (wharfd fetches as root: only admins may name these).
bool ReadsServerFiles(const BuildpackChoice& choice);

// Parses a whole -b list. Empty, or a single detect marker, means detection;
// a detect marker among other buildpacks is refused.
Result<std::vector<BuildpackChoice>> ParseBuildpackChoices(const std::vector<std::string>& texts);

}  // namespace wharf::stager
