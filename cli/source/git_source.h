// Push sources from git, through libgit2 (no git binary): clone a URL or a
// local repository into a folder and check out the tree of one commit.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf::cli {

struct GitCheckout {
  std::string url;     // what was cloned (a local path is made absolute)
  std::string ref;     // as asked, "HEAD" when none was given
  std::string commit;  // 40-hex id of the checked-out commit
};

// Writes the tree of `ref` of the repository `url_or_path` into `dest`
// (which must not exist or be empty). `ref` is a branch (local or the
// remote's), a tag, a commit id or anything else git rev-parse understands;
// empty means HEAD. A local repository (a path or file:// URL, bare or not)
// is read in place and never modified — its index, HEAD and work tree stay
// as they are; any other URL is cloned into `dest`/.git first. Errors name
// the URL and the ref.
Result<GitCheckout> CheckoutGitSource(std::string_view url_or_path, std::string_view ref,
                                      const std::filesystem::path& dest);

}  // namespace wharf::cli
