#include "stacks/stack_catalog.h"

#include <doctest/doctest.h>

#include "common/file_io.h"
#include "common/ids.h"

namespace wharf::stacks {
namespace {

namespace fs = std::filesystem;

struct StacksDir {
  fs::path path = fs::temp_directory_path() / ("wharf-stacks-" + RandomHex(6));
  StacksDir() { fs::create_directories(path); }
  ~StacksDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void Add(const std::string& name, const std::string& json) const {
    fs::create_directories(path / name / "rootfs" / "usr");
    REQUIRE(WriteFileAtomic(path / name / "stack.json", json).ok());
  }
};

TEST_CASE("stack catalog: built stacks by name, then the host stack, and the first built one is the default") {
  StacksDir dir;
  dir.Add("debian13", R"({"description": "Debian 13", "built_at": "2026-12-07T05:00:00Z", "size_bytes": 42,
                          "versions": {"go": "1.24.4", "ruby": "3.3.8"}})");
  dir.Add("aa-old", R"({"description": "older"})");
  fs::create_directories(dir.path / "half-built" / "rootfs" / "usr");  // no stack.json: still building
  fs::create_directories(dir.path / "Bad Name" / "rootfs" / "usr");
  REQUIRE(WriteFileAtomic(dir.path / "Bad Name" / "stack.json", "{}").ok());
  fs::create_directories(dir.path / "no-root");
  REQUIRE(WriteFileAtomic(dir.path / "no-root" / "stack.json", "{}").ok());

  auto c = StackCatalog::Load(dir.path, "Debian GNU/Linux 12 (bookworm)");
  REQUIRE(c.All().size() == 3);
  CHECK(c.All()[0].name == "aa-old");
  CHECK(c.All()[1].name == "debian13");
  CHECK(c.All()[2].name == "host");
  CHECK(c.DefaultName() == "aa-old");
  const StackInfo* d = c.Find("debian13");
  REQUIRE(d != nullptr);
  CHECK(d->versions.at("go") == "1.24.4");
  CHECK(d->size_bytes == 42);
  CHECK(d->root == fs::canonical(dir.path / "debian13" / "rootfs"));
  CHECK(c.Find("host")->root.empty());
  CHECK(c.Find("host")->description.find("bookworm") != std::string::npos);
  CHECK(c.Check("debian13").ok());
  Status unknown = c.Check("cflinuxfs4");
  CHECK(unknown.code() == StatusCode::kInvalidArgument);
  CHECK(unknown.message() == "stack 'cflinuxfs4' is not installed; the stacks are: aa-old, debian13, host");
}

TEST_CASE("stack catalog: with no stacks folder only the host stack is offered, and it is the default") {
  auto c = StackCatalog::Load("/nonexistent/wharf-stacks", "");
  REQUIRE(c.All().size() == 1);
  CHECK(c.DefaultName() == "host");
}

TEST_CASE("stack roots: names cannot leave the stacks folder, and a missing stack is named") {
  StacksDir dir;
  dir.Add("debian13", "{}");
  CHECK(StackRoot(dir.path, "debian13").ok());
  CHECK(StackRoot(dir.path, "../etc").status().code() == StatusCode::kInvalidArgument);
  CHECK(StackRoot(dir.path, "a/b").status().code() == StatusCode::kInvalidArgument);
  CHECK(StackRoot(dir.path, "").status().code() == StatusCode::kInvalidArgument);
  auto missing = StackRoot(dir.path, "debian14");
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("stack debian14 is not installed") == 0);
  CHECK(IsHostStack(""));
  CHECK(IsHostStack("host"));
  CHECK_FALSE(IsHostStack("debian13"));
}

TEST_CASE("the host stack is described by os-release's PRETTY_NAME") {
  StacksDir dir;
  REQUIRE(WriteFileAtomic(dir.path / "os-release", "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n").ok());
  CHECK(HostStackDescription(dir.path / "os-release") == "Debian GNU/Linux 12 (bookworm)");
  CHECK(HostStackDescription(dir.path / "missing").empty());
}

}  // namespace
}  // namespace wharf::stacks
