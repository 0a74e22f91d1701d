#include "cli/git_source.h"

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

}  // namespace

Result<GitCheckout> CheckoutGitSource(std::string_view url_or_path, std::string_view ref, const fs::path& dest) {
  LibGit2 lib;
  GitCheckout out;
  out.url = std::string(url_or_path);
  out.ref = ref.empty() ? "HEAD" : std::string(ref);
  std::error_code ec;
  if (out.url.find("://") == std::string::npos && out.url.find('@') == std::string::npos && fs::exists(out.url, ec)) {
    out.url = fs::absolute(out.url, ec).lexically_normal().string();
  }

  git_clone_options options = GIT_CLONE_OPTIONS_INIT;
  options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
  git_repository* raw = nullptr;
  if (git_clone(&raw, out.url.c_str(), dest.c_str(), &options) != 0) {
    return Status::InvalidArgument("cloning git repository '" + out.url + "': " + LastGitError());
  }
  RepoPtr repo(raw);

  ObjectPtr target = Resolve(repo.get(), out.ref);
  if (!target && !ref.empty()) target = Resolve(repo.get(), "origin/" + out.ref);
  if (!target) {
    return Status::InvalidArgument("git ref '" + out.ref + "' not found in '" + out.url +
                                   "' (give a branch, tag or commit id with --ref)");
  }
  git_object* commit_raw = nullptr;
  if (git_object_peel(&commit_raw, target.get(), GIT_OBJECT_COMMIT) != 0) {
    return Status::InvalidArgument("git ref '" + out.ref + "' in '" + out.url + "' is not a commit: " + LastGitError());
  }
  ObjectPtr commit(commit_raw);

  git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (git_checkout_tree(repo.get(), commit.get(), &checkout) != 0) {
    return Status::Internal("checking out '" + out.ref + "' of '" + out.url + "': " + LastGitError());
  }
  if (git_repository_set_head_detached(repo.get(), git_object_id(commit.get())) != 0) {
    return Status::Internal("detaching HEAD at '" + out.ref + "': " + LastGitError());
  }
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_object_id(commit.get()));
  out.commit = hex;
  return out;
}

}  // namespace wharf::cli
