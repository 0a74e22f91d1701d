#include "cli/source/git_source.h"

#include <git2.h>

#include <memory>

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;

// libgit2's global state, held for the duration of one operation.
class LibGit2 {
 public:
  LibGit2() { git_libgit2_init(); }
  ~LibGit2() { git_libgit2_shutdown(); }
  LibGit2(const LibGit2&) = delete;
  LibGit2& operator=(const LibGit2&) = delete;
};

std::string LastGitError() {
  const git_error* e = git_error_last();
  return e != nullptr && e->message != nullptr ? e->message : "unknown libgit2 error";
}

struct RepoDeleter {
  void operator()(git_repository* r) const { git_repository_free(r); }
};
struct ObjectDeleter {
  void operator()(git_object* o) const { git_object_free(o); }
};
using RepoPtr = std::unique_ptr<git_repository, RepoDeleter>;
using ObjectPtr = std::unique_ptr<git_object, ObjectDeleter>;

ObjectPtr Resolve(git_repository* repo, const std::string& spec) {
  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo, spec.c_str()) != 0) return nullptr;
  return ObjectPtr(obj);
}

// Resolves `ref` (falling back to the remote's branch of that name) to a commit.
Result<ObjectPtr> ResolveCommit(git_repository* repo, const GitCheckout& out, bool ref_given) {
  ObjectPtr target = Resolve(repo, out.ref);
  if (!target && ref_given) target = Resolve(repo, "origin/" + out.ref);
  if (!target) {
    return Status::InvalidArgument("git ref '" + out.ref + "' not found in '" + out.url +
                                   "' (give a branch, tag or commit id with --ref)");
  }
  git_object* commit = nullptr;
  if (git_object_peel(&commit, target.get(), GIT_OBJECT_COMMIT) != 0) {
    return Status::InvalidArgument("git ref '" + out.ref + "' in '" + out.url + "' is not a commit: " + LastGitError());
  }
  return ObjectPtr(commit);
}

// Opens a local repository in place, or clones a remote one into dest/.git.
Result<RepoPtr> OpenOrClone(const GitCheckout& out, bool local, const fs::path& dest) {
  git_repository* raw = nullptr;
  if (local) {
    if (git_repository_open_ext(&raw, out.url.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
      return Status::InvalidArgument("opening git repository '" + out.url + "': " + LastGitError());
    }
    return RepoPtr(raw);
  }
  git_clone_options options = GIT_CLONE_OPTIONS_INIT;
  options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
  if (git_clone(&raw, out.url.c_str(), dest.c_str(), &options) != 0) {
    return Status::InvalidArgument("cloning git repository '" + out.url + "': " + LastGitError());
  }
  return RepoPtr(raw);
}

}  // namespace

Result<GitCheckout> CheckoutGitSource(std::string_view url_or_path, std::string_view ref, const fs::path& dest) {
  LibGit2 lib;
  GitCheckout out;
  out.url = std::string(url_or_path);
  out.ref = ref.empty() ? "HEAD" : std::string(ref);
  std::error_code ec;
  // Anything that is neither a URL ("https://...") nor scp-like ("git@host:repo") is a local path.
  bool local = out.url.starts_with("file://") ||
               (out.url.find("://") == std::string::npos && out.url.find('@') == std::string::npos);
  if (local) {
    std::string path = out.url.starts_with("file://") ? out.url.substr(7) : out.url;
    out.url = fs::absolute(path, ec).lexically_normal().string();
    if (!fs::exists(out.url, ec)) return Status::InvalidArgument("git repository '" + out.url + "' does not exist");
  }

  WHARF_ASSIGN_OR_RETURN(auto repo, OpenOrClone(out, local, dest));
  Result<ObjectPtr> commit = ResolveCommit(repo.get(), out, !ref.empty());
  if (!commit.ok()) return commit.status();

  // Write the commit's tree into dest without touching the repository's own
  // index or HEAD (for a local repository, dest is not its work tree).
  fs::create_directories(dest, ec);
  if (ec) return Status::Internal("creating " + dest.string() + ": " + ec.message());
  git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
  const std::string target = dest.string();
  checkout.target_directory = target.c_str();
  if (git_checkout_tree(repo.get(), commit->get(), &checkout) != 0) {
    return Status::Internal("checking out '" + out.ref + "' of '" + out.url + "': " + LastGitError());
  }
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_object_id(commit->get()));
  out.commit = hex;
  return out;
}

}  // namespace wharf::cli
