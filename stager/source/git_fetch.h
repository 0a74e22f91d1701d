// Clones a buildpack's git repository (through libgit2) and checks out a ref.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace wharf::stager {

// Clones `url` (a URL libgit2 understands, or a local path) into `dest`
// (must not exist) and checks out `ref`: a branch, a tag or a commit
// (full or abbreviated); an empty ref keeps the default branch. Returns the
// commit checked out. Errors name the URL and the ref.
Result<std::string> GitCloneAt(const std::string& url, const std::string& ref, const std::filesystem::path& dest);

}  // namespace wharf::stager
