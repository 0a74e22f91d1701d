// ExtractArchive against a corpus of hostile archives built here, plus happy paths.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "common/archive/archive.h"
#include "common/archive/archive_test_util.h"
#include "common/file_io.h"

using namespace wharf;
using namespace wharf::testing;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  TempDir tmp;
  fs::path dest = tmp / "dest";
  Fixture() { fs::create_directory(dest); }

  Status Extract(TestFormat format, const std::vector<TestEntry>& entries, const ArchiveLimits& limits = {}) {
    fs::path archive = tmp / (format == TestFormat::kZip ? "in.zip" : "in.tar");
    fs::remove(archive);
    WriteTestArchive(archive, format, entries);
    return ExtractArchive(archive, dest, limits);
  }
  bool DestEmpty() const { return fs::is_empty(dest); }
};

std::string FormatName(TestFormat f) {
  switch (f) {
    case TestFormat::kTar: return "tar";
    case TestFormat::kTarGz: return "tar.gz";
    case TestFormat::kZip: return "zip";
  }
  return "?";
}

// Asserts that extracting `entries` fails naming `entry`, leaves the
// destination empty, and (when given) that nothing appeared at `outside`.
void ExpectRefused(TestFormat format, const std::vector<TestEntry>& entries, const std::string& entry,
                   const ArchiveLimits& limits = {}) {
  CAPTURE(FormatName(format));
  Fixture f;
  Status s = f.Extract(format, entries, limits);
  CHECK_FALSE(s.ok());
  CHECK_MESSAGE(s.message().find("'" + entry + "'") != std::string::npos, s.message());
  CHECK(f.DestEmpty());
  CHECK_FALSE(fs::exists(f.tmp / "escaped"));
}

std::string RandomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::string Slurp(const fs::path& p) {
  auto r = ReadFile(p);
  REQUIRE(r.ok());
  return *r;
}

std::uint32_t ModeOf(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

// ---- attacks ---------------------------------------------------------------

TEST_CASE("ExtractArchive refuses a path that climbs out with '..'") {
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) {
    ExpectRefused(format, {File("ok.txt", "fine"), File("../escaped", "x")}, "../escaped");
    ExpectRefused(format, {File("ok.txt", "fine"), File("a/../../escaped", "x")}, "a/../../escaped");
  }
}

TEST_CASE("ExtractArchive refuses an absolute path") {
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) {
    Fixture outer;  // an absolute target that would be writable if followed
    std::string abs = (outer.tmp / "escaped").string();
    ExpectRefused(format, {File("ok.txt", "fine"), File(abs, "x")}, abs);
    CHECK_FALSE(fs::exists(abs));
  }
}

TEST_CASE("ExtractArchive refuses a symlink to an absolute path") {
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) {
    ExpectRefused(format, {File("ok.txt", "fine"), Symlink("etc", "/etc")}, "etc");
  }
}

TEST_CASE("ExtractArchive refuses a symlink that resolves outside the tree") {
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) {
    ExpectRefused(format, {File("ok.txt", "fine"), Symlink("link", "..")}, "link");
    ExpectRefused(format, {Dir("a"), Symlink("a/link", "../../escaped")}, "a/link");
  }
}

TEST_CASE("ExtractArchive refuses a file written through a symlink, even one that points inside") {
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) {
    // d/link -> .. is the tree's own root: allowed as a link, never as a way in.
    ExpectRefused(format, {Dir("d"), Symlink("d/link", ".."), File("d/link/x", "x")}, "d/link/x");
    ExpectRefused(format, {Dir("sub"), Symlink("inside", "sub"), File("inside/x", "x")}, "inside/x");
  }
}

TEST_CASE("ExtractArchive refuses a symlink chain that escapes only once a later link exists") {
  // When 'x' arrives, d/up does not exist and d/up/.. is 'd'; once d/up -> ..
  // is extracted, x points above the tree.
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) {
    ExpectRefused(format, {Dir("d"), Symlink("x", "d/up/.."), Symlink("d/up", "..")}, "x");
  }
}

TEST_CASE("ExtractArchive refuses hard links to paths outside the tree or not extracted before") {
  ExpectRefused(TestFormat::kTar, {File("ok.txt", "fine"), Hardlink("passwd", "/etc/passwd")}, "passwd");
  ExpectRefused(TestFormat::kTar, {File("ok.txt", "fine"), Hardlink("up", "../escaped")}, "up");
  ExpectRefused(TestFormat::kTar, {File("ok.txt", "fine"), Hardlink("early", "later"), File("later", "x")}, "early");
  ExpectRefused(TestFormat::kTar, {Dir("d"), Hardlink("to-dir", "d")}, "to-dir");
}

TEST_CASE("ExtractArchive refuses devices, fifos and sockets") {
  ExpectRefused(TestFormat::kTar, {File("ok.txt", "fine"), Special("null", AE_IFCHR)}, "null");
  ExpectRefused(TestFormat::kTar, {File("ok.txt", "fine"), Special("disk", AE_IFBLK)}, "disk");
  ExpectRefused(TestFormat::kTar, {File("ok.txt", "fine"), Special("pipe", AE_IFIFO)}, "pipe");
}

TEST_CASE("ExtractArchive refuses a highly compressed bomb by its ratio") {
  std::string zeros(4 << 20, '\0');  // 4 MiB of zeros compress about 1000:1
  ExpectRefused(TestFormat::kTarGz, {File("ok.txt", "fine"), File("zeros.bin", zeros)}, "zeros.bin");
  ExpectRefused(TestFormat::kZip, {File("ok.txt", "fine"), File("zeros.bin", zeros)}, "zeros.bin");
}

TEST_CASE("ExtractArchive refuses a sparse entry that declares 10 GB") {
  TestEntry sparse = File("huge.img", "tail data");
  sparse.sparse_size = 10'000'000'000;
  ExpectRefused(TestFormat::kTar, {File("ok.txt", "fine"), sparse}, "huge.img");
}

TEST_CASE("ExtractArchive refuses too many entries, naming the first one over the cap") {
  std::vector<TestEntry> entries;
  for (int i = 0; i < 10; ++i) entries.push_back(File("f" + std::to_string(i), "x"));
  ArchiveLimits limits;
  limits.max_entries = 5;
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) ExpectRefused(format, entries, "f5", limits);
}

TEST_CASE("ExtractArchive refuses an entry over the size cap and an archive over the total cap") {
  ArchiveLimits limits;
  limits.max_entry_bytes = 1000;
  limits.max_total_bytes = 2500;
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) {
    ExpectRefused(format, {File("small", RandomBytes(100, 1)), File("big", RandomBytes(1001, 2))}, "big", limits);
    ExpectRefused(format,
                  {File("a", RandomBytes(900, 3)), File("b", RandomBytes(900, 4)), File("c", RandomBytes(900, 5))},
                  "c", limits);
  }
}

TEST_CASE("ExtractArchive refuses duplicate paths and a file used as a folder") {
  for (auto format : {TestFormat::kTar, TestFormat::kZip}) {
    ExpectRefused(format, {File("a", "one"), File("a", "two")}, "a");
    ExpectRefused(format, {File("a", "one"), File("a/b", "two")}, "a/b");
    ExpectRefused(format, {File("a", "one"), Symlink("a", "b")}, "a");
  }
}

TEST_CASE("ExtractArchive removes read-only folders it made when a later entry fails") {
  ExpectRefused(TestFormat::kTar, {Dir("ro", 0555), File("ro/f", "x", 0444), File("../escaped", "x")},
                "../escaped");
}

TEST_CASE("ExtractArchive refuses garbage and leaves the destination empty") {
  Fixture f;
  REQUIRE(WriteFileAtomic(f.tmp / "junk.tar", std::string(4096, 'j')).ok());
  Status s = ExtractArchive(f.tmp / "junk.tar", f.dest);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(f.DestEmpty());
}

TEST_CASE("ExtractArchive refuses a destination that is not empty and leaves it alone") {
  Fixture f;
  REQUIRE(WriteFileAtomic(f.dest / "mine", "keep").ok());
  WriteTestArchive(f.tmp / "in.tar", TestFormat::kTar, {File("../escaped", "x")});
  Status s = ExtractArchive(f.tmp / "in.tar", f.dest);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(Slurp(f.dest / "mine") == "keep");
  CHECK(ExtractArchive(f.tmp / "missing.tar", f.tmp / "nowhere").code() == StatusCode::kNotFound);
}

// ---- happy paths -----------------------------------------------------------

TEST_CASE("ExtractArchive restores nested folders, modes, empty files and inner symlinks") {
  for (auto format : {TestFormat::kTar, TestFormat::kTarGz, TestFormat::kZip}) {
    CAPTURE(FormatName(format));
    Fixture f;
    Status s = f.Extract(format, {Dir("./"), Dir("app"), Dir("app/lib/deep"), File("app/lib/deep/tool.sh", "#!/bin/sh\n", 0755),
                                  File("app/secret", "s", 0600), File("app/empty", ""), Dir("app"),
                                  Symlink("app/bin", "lib/deep/tool.sh"), Symlink("app/lib/self", "../lib"),
                                  File("suid", "x", 04755), Dir("shared", 02775)});
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(Slurp(f.dest / "app/lib/deep/tool.sh") == "#!/bin/sh\n");
    CHECK(ModeOf(f.dest / "app/lib/deep/tool.sh") == 0755);
    CHECK(ModeOf(f.dest / "app/secret") == 0600);
    CHECK(fs::file_size(f.dest / "app/empty") == 0);
    CHECK(fs::is_symlink(f.dest / "app/bin"));
    CHECK(fs::read_symlink(f.dest / "app/bin") == "lib/deep/tool.sh");
    CHECK(Slurp(f.dest / "app/bin") == "#!/bin/sh\n");
    CHECK(ModeOf(f.dest / "suid") == 0755);      // setuid dropped
    CHECK(ModeOf(f.dest / "shared") == 0775);    // setgid dropped
    struct stat st {};
    REQUIRE(::stat((f.dest / "app/secret").c_str(), &st) == 0);
    CHECK(st.st_uid == ::geteuid());
  }
}

TEST_CASE("ExtractArchive keeps a hard link to a file extracted before it") {
  Fixture f;
  Status s = f.Extract(TestFormat::kTar, {File("a", "shared"), Hardlink("b", "a")});
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(Slurp(f.dest / "b") == "shared");
  CHECK(fs::equivalent(f.dest / "a", f.dest / "b"));
}

TEST_CASE("ExtractArchive accepts incompressible content over 1 MiB in every format") {
  std::string data = RandomBytes(3 << 20, 7);
  for (auto format : {TestFormat::kTar, TestFormat::kTarGz, TestFormat::kZip}) {
    CAPTURE(FormatName(format));
    Fixture f;
    Status s = f.Extract(format, {File("random.bin", data), File("after.txt", "end")});
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(Slurp(f.dest / "random.bin") == data);
    CHECK(Slurp(f.dest / "after.txt") == "end");
  }
}

TEST_CASE("ExtractArchive unpacks a zip made from a folder into the same tree") {
  Fixture f;
  fs::path src = f.tmp / "src";
  fs::create_directories(src / "public/css");
  REQUIRE(WriteFileAtomic(src / "index.html", "<h1>hi</h1>").ok());
  REQUIRE(WriteFileAtomic(src / "public/css/site.css", "body{}").ok());
  REQUIRE(WriteFileAtomic(src / "run.sh", "#!/bin/sh\n", 0755).ok());
  std::vector<TestEntry> entries;
  for (const auto& e : fs::recursive_directory_iterator(src)) {
    std::string rel = fs::relative(e.path(), src).string();
    if (e.is_directory()) {
      entries.push_back(Dir(rel + "/"));
    } else {
      entries.push_back(File(rel, Slurp(e.path()), ModeOf(e.path())));
    }
  }
  Status s = f.Extract(TestFormat::kZip, entries);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(Slurp(f.dest / "index.html") == "<h1>hi</h1>");
  CHECK(Slurp(f.dest / "public/css/site.css") == "body{}");
  CHECK(ModeOf(f.dest / "run.sh") == 0755);
}
