#include "cli/source/git_source.h"

#include <git2.h>

#include <doctest/doctest.h>

#include "cli/source/app_source.h"
#include "cli/source/file_scan.h"
#include "cli/testing/temp_dir.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A tiny repository written with libgit2: commits files and tags, returns commit ids.
class TestRepo {
 public:
  explicit TestRepo(const fs::path& dir) : dir_(dir) {
    git_libgit2_init();
    REQUIRE(git_repository_init(&repo_, dir.c_str(), 0) == 0);
  }
  ~TestRepo() {
    git_repository_free(repo_);
    git_libgit2_shutdown();
  }

  // Writes `files` (path -> content) into the work tree and commits all of them on HEAD.
  std::string Commit(const std::vector<std::pair<std::string, std::string>>& files, const char* message) {
    git_index* index = nullptr;
    REQUIRE(git_repository_index(&index, repo_) == 0);
    for (const auto& [path, content] : files) {
      fs::create_directories((dir_ / path).parent_path());
      REQUIRE(WriteFileAtomic(dir_ / path, content).ok());
      REQUIRE(git_index_add_bypath(index, path.c_str()) == 0);
    }
    REQUIRE(git_index_write(index) == 0);
    git_oid tree_id, commit_id;
    REQUIRE(git_index_write_tree(&tree_id, index) == 0);
    git_index_free(index);
    git_tree* tree = nullptr;
    REQUIRE(git_tree_lookup(&tree, repo_, &tree_id) == 0);
    git_signature* sig = nullptr;
    REQUIRE(git_signature_new(&sig, "Test", "test@example.com", 1800000000, 0) == 0);
    git_commit* parent = nullptr;
    git_oid head;
    int parents = 0;
    if (git_reference_name_to_id(&head, repo_, "HEAD") == 0) {
      REQUIRE(git_commit_lookup(&parent, repo_, &head) == 0);
      parents = 1;
    }
    const git_commit* parent_list[] = {parent};
    REQUIRE(git_commit_create(&commit_id, repo_, "HEAD", sig, sig, nullptr, message, tree, parents, parent_list) == 0);
    git_commit_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &commit_id);
    return hex;
  }

  std::string Head() {
    git_oid head;
    REQUIRE(git_reference_name_to_id(&head, repo_, "HEAD") == 0);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &head);
    return hex;
  }

  // Number of entries in the repository's index.
  std::size_t IndexSize() {
    git_index* index = nullptr;
    REQUIRE(git_repository_index(&index, repo_) == 0);
    REQUIRE(git_index_read(index, 1) == 0);
    std::size_t n = git_index_entrycount(index);
    git_index_free(index);
    return n;
  }

  void Tag(const char* name) {
    git_object* head = nullptr;
    REQUIRE(git_revparse_single(&head, repo_, "HEAD") == 0);
    git_oid id;
    REQUIRE(git_tag_create_lightweight(&id, repo_, name, head, 0) == 0);
    git_object_free(head);
  }

 private:
  fs::path dir_;
  git_repository* repo_ = nullptr;
};

std::string Read(const fs::path& p) { return ReadFile(p).value(); }

TEST_CASE("CheckoutGitSource checks out HEAD and records its commit id") {
  TempDir dir;
  TestRepo repo(dir / "repo");
  repo.Commit({{"server.js", "v1"}}, "first");
  std::string second = repo.Commit({{"server.js", "v2"}, {"lib/a.js", "a"}}, "second");
  Result<GitCheckout> c = CheckoutGitSource((dir / "repo").string(), "", dir / "out");
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  CHECK(c->commit == second);
  CHECK(c->ref == "HEAD");
  CHECK(c->url == (dir / "repo").string());
  CHECK(Read(dir / "out/server.js") == "v2");
  CHECK(Read(dir / "out/lib/a.js") == "a");
}

TEST_CASE("CheckoutGitSource checks out the tree of a tag or a commit id") {
  TempDir dir;
  TestRepo repo(dir / "repo");
  std::string first = repo.Commit({{"server.js", "v1"}}, "first");
  repo.Tag("v1.0");
  std::string second = repo.Commit({{"server.js", "v2"}, {"new.js", "n"}}, "second");

  Result<GitCheckout> by_tag = CheckoutGitSource((dir / "repo").string(), "v1.0", dir / "tag");
  REQUIRE_MESSAGE(by_tag.ok(), by_tag.status().message());
  CHECK(by_tag->commit == first);
  CHECK(Read(dir / "tag/server.js") == "v1");
  CHECK_FALSE(fs::exists(dir / "tag/new.js"));

  Result<GitCheckout> by_id = CheckoutGitSource((dir / "repo").string(), first.substr(0, 10), dir / "id");
  REQUIRE_MESSAGE(by_id.ok(), by_id.status().message());
  CHECK(by_id->commit == first);
  CHECK(Read(dir / "id/server.js") == "v1");

  // The source repository is read, never changed.
  CHECK(repo.Head() == second);
  CHECK(repo.IndexSize() == 2);
  CHECK(Read(dir / "repo/server.js") == "v2");
  CHECK(std::filesystem::exists(dir / "repo/new.js"));
}

TEST_CASE("CheckoutGitSource accepts a file:// URL and a branch name") {
  TempDir dir;
  TestRepo repo(dir / "repo");
  std::string id = repo.Commit({{"a.txt", "a"}}, "first");
  Result<GitCheckout> c = CheckoutGitSource("file://" + (dir / "repo").string(), "master", dir / "out");
  if (!c.ok()) c = CheckoutGitSource("file://" + (dir / "repo").string(), "main", dir / "out2");
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  CHECK(c->commit == id);
  CHECK(c->url == (dir / "repo").string());
}

TEST_CASE("CheckoutGitSource names an unknown ref and an unusable URL") {
  TempDir dir;
  TestRepo repo(dir / "repo");
  repo.Commit({{"a", "a"}}, "first");
  Result<GitCheckout> bad_ref = CheckoutGitSource((dir / "repo").string(), "no-such-branch", dir / "x");
  REQUIRE_FALSE(bad_ref.ok());
  CHECK(bad_ref.status().message().find("git ref 'no-such-branch' not found") != std::string::npos);
  Result<GitCheckout> bad_url = CheckoutGitSource((dir / "nothing-here").string(), "", dir / "y");
  REQUIRE_FALSE(bad_url.ok());
  CHECK(bad_url.status().message().find("does not exist") != std::string::npos);
  std::filesystem::create_directories(dir / "not-a-repo");
  Result<GitCheckout> not_repo = CheckoutGitSource((dir / "not-a-repo").string(), "", dir / "z");
  REQUIRE_FALSE(not_repo.ok());
  CHECK(not_repo.status().message().find("opening git repository") != std::string::npos);
}

TEST_CASE("A git push source scans the committed tree without the .git folder") {
  TempDir dir;
  TestRepo repo(dir / "repo");
  std::string id = repo.Commit({{"server.js", "v1"}, {"bin/start", "#!/bin/sh\n"}}, "first");
  Result<AppSource> source = OpenGitSource((dir / "repo").string(), "");
  REQUIRE_MESSAGE(source.ok(), source.status().message());
  CHECK(source->kind == AppSource::Kind::kGit);
  CHECK(source->commit == id);
  CHECK(source->ToJson()["commit"] == id);
  CHECK(source->ToJson()["type"] == "git");
  FolderScan scan = ScanAppFolder(source->folder).value();
  REQUIRE(scan.files.size() == 2);
  CHECK(scan.files[0].path == "bin/start");
  CHECK(scan.files[1].path == "server.js");
  fs::path temp = source->temp.path();
  CHECK(fs::exists(temp));
  { AppSource gone = std::move(*source); }
  CHECK_FALSE(fs::exists(temp));
}

}  // namespace
}  // namespace wharf::cli
