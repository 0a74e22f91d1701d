#include "stager/source/git_fetch.h"

#include <git2.h>

#include <memory>

namespace wharf::stager {
namespace {

std::string LastGitError() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

// libgit2 keeps a reference count of its initialisations; each use holds one.
struct GitLibrary {
  GitLibrary() { git_libgit2_init(); }
  ~GitLibrary() { git_libgit2_shutdown(); }
};

struct RepoDeleter {
  void operator()(git_repository* r) const { git_repository_free(r); }
};
struct ObjectDeleter {
  void operator()(git_object* o) const { git_object_free(o); }
};

}  // namespace

Result<std::string> GitCloneAt(const std::string& url, const std::string& ref, const std::filesystem::path& dest) {
  GitLibrary lib;
  const std::string what = "git buildpack " + url + (ref.empty() ? "" : "#" + ref);
  git_clone_options opts = GIT_CLONE_OPTIONS_INIT;
  git_repository* raw = nullptr;
  if (git_clone(&raw, url.c_str(), dest.c_str(), &opts) != 0) {
    return Status::Unavailable("cloning " + what + ": " + LastGitError());
  }
  std::unique_ptr<git_repository, RepoDeleter> repo(raw);
  git_object* obj = nullptr;
  if (!ref.empty()) {
    const std::string candidates[] = {"refs/remotes/origin/" + ref, "refs/tags/" + ref, ref};
    for (const auto& c : candidates) {
      if (git_revparse_single(&obj, repo.get(), c.c_str()) == 0) break;
      obj = nullptr;
    }
    if (obj == nullptr) return Status::NotFound(what + ": no branch, tag or commit named '" + ref + "'");
  } else if (git_revparse_single(&obj, repo.get(), "HEAD") != 0) {
    return Status::NotFound(what + ": the repository has no commits");
  }
  std::unique_ptr<git_object, ObjectDeleter> target(obj);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, target.get(), GIT_OBJECT_COMMIT) != 0) {
    return Status::InvalidArgument(what + ": '" + ref + "' does not name a commit");
  }
  std::unique_ptr<git_object, ObjectDeleter> commit(peeled);
  git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
  co.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (git_checkout_tree(repo.get(), commit.get(), &co) != 0 ||
      git_repository_set_head_detached(repo.get(), git_object_id(commit.get())) != 0) {
    return Status::Internal("checking out " + what + ": " + LastGitError());
  }
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_object_id(commit.get()));
  return std::string(hex);
}

}  // namespace wharf::stager
