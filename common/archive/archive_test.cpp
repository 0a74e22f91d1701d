// NormaliseRelativePath, TarWriter and ReadArchiveStream.
#include "common/archive/archive.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <map>
#include <sstream>

#include "common/archive/archive_test_util.h"
#include "common/file_io.h"

using namespace wharf;
using namespace wharf::testing;
namespace fs = std::filesystem;

namespace {

// Reads every regular file of a tar held in memory: path -> (content, mode).
std::map<std::string, std::pair<std::string, std::uint32_t>> ReadAllFiles(const std::string& tar, Status* status,
                                                                          const ArchiveLimits& limits = {}) {
  std::map<std::string, std::pair<std::string, std::uint32_t>> out;
  std::istringstream in(tar);
  *status = ReadArchiveStream(in, limits, [&](const ArchiveFile& f, const ArchiveReadFn& read) {
    std::string content;
    char buf[4096];
    for (;;) {
      long n = read(buf, sizeof buf);
      if (n < 0) return Status::Internal("read failed");
      if (n == 0) break;
      content.append(buf, static_cast<std::size_t>(n));
    }
    out[f.path] = {content, f.mode};
    return Status::Ok();
  });
  return out;
}

std::string TarInMemory(const std::vector<TestEntry>& entries, TestFormat format = TestFormat::kTar) {
  TempDir tmp;
  WriteTestArchive(tmp / "a", format, entries);
  auto r = ReadFile(tmp / "a");
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("NormaliseRelativePath removes '.', empty components and trailing slashes") {
  CHECK(*NormaliseRelativePath("./a//b/") == "a/b");
  CHECK(*NormaliseRelativePath("a/./b/./c") == "a/b/c");
  CHECK(*NormaliseRelativePath("file.txt") == "file.txt");
  CHECK(*NormaliseRelativePath("..hidden/x..") == "..hidden/x..");
}

TEST_CASE("NormaliseRelativePath refuses absolute, '..', empty and NUL paths and names them") {
  for (const std::string& bad : std::vector<std::string>{"/etc/passwd", "../x", "a/../../x", "a/..", "", ".", "./",
                                                       std::string("a\0b", 3)}) {
    auto r = NormaliseRelativePath(bad);
    CAPTURE(bad);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().message().find("'" + bad + "'") != std::string::npos);
  }
}

TEST_CASE("TarWriter writes files, folders and symlinks that ExtractArchive restores") {
  for (auto compression : {TarWriter::Compression::kNone, TarWriter::Compression::kGzip}) {
    TempDir tmp;
    REQUIRE(WriteFileAtomic(tmp / "source.sh", "#!/bin/sh\necho hi\n").ok());
    auto w = TarWriter::ToFile(tmp / "out.tar", compression);
    REQUIRE(w.ok());
    REQUIRE((*w)->AddDirectory("bin").ok());
    REQUIRE((*w)->AddFile("bin/run.sh", tmp / "source.sh", 0755).ok());
    REQUIRE((*w)->AddBytes("./data/config.json", "{}", 0600).ok());
    REQUIRE((*w)->AddSymlink("run", "bin/run.sh").ok());
    REQUIRE((*w)->Close().ok());
    w->reset();

    fs::create_directory(tmp / "dest");
    Status s = ExtractArchive(tmp / "out.tar", tmp / "dest");
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(*ReadFile(tmp / "dest/bin/run.sh") == "#!/bin/sh\necho hi\n");
    CHECK(*ReadFile(tmp / "dest/data/config.json") == "{}");
    CHECK(fs::read_symlink(tmp / "dest/run") == "bin/run.sh");
    struct stat st {};
    REQUIRE(::stat((tmp / "dest/bin/run.sh").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0755);
  }
}

TEST_CASE("TarWriter refuses unsafe archive paths and missing sources") {
  TempDir tmp;
  auto w = TarWriter::ToFile(tmp / "out.tar");
  REQUIRE(w.ok());
  CHECK((*w)->AddBytes("../x", "x", 0644).code() == StatusCode::kInvalidArgument);
  CHECK((*w)->AddBytes("/abs", "x", 0644).code() == StatusCode::kInvalidArgument);
  CHECK((*w)->AddFile("f", tmp / "missing", 0644).code() == StatusCode::kNotFound);
  CHECK((*w)->AddBytes("still-usable", "x", 0644).ok());
  CHECK((*w)->Close().ok());
}

TEST_CASE("TarWriter streams to a callback and ReadArchiveStream reads it back") {
  std::string stream;
  auto w = TarWriter::ToCallback([&](const void* p, std::size_t n) {
    stream.append(static_cast<const char*>(p), n);
    return Status::Ok();
  });
  REQUIRE(w.ok());
  std::string big(300'000, 'b');
  REQUIRE((*w)->AddDirectory("dir").ok());
  REQUIRE((*w)->AddBytes("dir/a.txt", "alpha", 0644).ok());
  REQUIRE((*w)->AddBytes("big", big, 0755).ok());
  REQUIRE((*w)->Close().ok());

  Status s;
  auto files = ReadAllFiles(stream, &s);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(files.size() == 2);  // the folder is skipped
  CHECK(files["dir/a.txt"].first == "alpha");
  CHECK(files["dir/a.txt"].second == 0644);
  CHECK(files["big"].first == big);
  CHECK(files["big"].second == 0755);
}

TEST_CASE("TarWriter reports a failing sink") {
  auto w = TarWriter::ToCallback([](const void*, std::size_t) { return Status::Unavailable("peer went away"); });
  REQUIRE(w.ok());
  Status s = (*w)->AddBytes("a", std::string(100'000, 'a'), 0644);
  if (s.ok()) s = (*w)->Close();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message().find("peer went away") != std::string::npos);
}

TEST_CASE("ReadArchiveStream refuses symlinks, hard links and unsafe paths, naming the entry") {
  struct Case {
    std::vector<TestEntry> entries;
    std::string name;
  };
  for (const Case& c : {Case{{File("ok", "x"), Symlink("link", "ok")}, "link"},
                        Case{{File("ok", "x"), Hardlink("hard", "ok")}, "hard"},
                        Case{{File("../up", "x")}, "../up"}, Case{{File("/abs", "x")}, "/abs"},
                        Case{{Special("fifo", AE_IFIFO)}, "fifo"}}) {
    Status s;
    ReadAllFiles(TarInMemory(c.entries), &s);
    CAPTURE(c.name);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message().find("'" + c.name + "'") != std::string::npos);
  }
}

TEST_CASE("ReadArchiveStream enforces the caps even when the callback ignores a failed read") {
  ArchiveLimits limits;
  limits.max_entry_bytes = 1000;
  std::string tar = TarInMemory({File("small", "x"), File("big", std::string(5000, 'b'))});
  // A declared size over the cap is refused before the callback runs.
  Status s;
  ReadAllFiles(tar, &s, limits);
  CHECK(s.code() == StatusCode::kTooLarge);
  CHECK(s.message().find("'big'") != std::string::npos);

  // A gzip bomb is caught while reading, though the callback reads nothing itself.
  std::string bomb = TarInMemory({File("zeros", std::string(4 << 20, '\0'))}, TestFormat::kTarGz);
  std::istringstream in(bomb);
  int calls = 0;
  s = ReadArchiveStream(in, {}, [&](const ArchiveFile&, const ArchiveReadFn&) {
    ++calls;
    return Status::Ok();
  });
  CHECK(calls == 1);
  CHECK(s.code() == StatusCode::kTooLarge);
  CHECK(s.message().find("'zeros'") != std::string::npos);
}

TEST_CASE("ReadArchiveStream passes on the callback's error and skips unread content") {
  std::string tar = TarInMemory({File("a", std::string(70'000, 'a')), File("b", "bee")});
  std::istringstream in(tar);
  std::vector<std::string> seen;
  Status s = ReadArchiveStream(in, {}, [&](const ArchiveFile& f, const ArchiveReadFn&) {
    seen.push_back(f.path);
    return Status::Ok();
  });
  CHECK(s.ok());
  CHECK(seen == std::vector<std::string>{"a", "b"});

  std::istringstream in2(tar);
  s = ReadArchiveStream(in2, {}, [&](const ArchiveFile& f, const ArchiveReadFn&) {
    return Status::Conflict("stop at " + f.path);
  });
  CHECK(s.code() == StatusCode::kConflict);
  CHECK(s.message() == "stop at a");
}

TEST_CASE("A TarWriter destroyed without Close does not call its sink again") {
  int calls = 0;
  {
    auto w = TarWriter::ToCallback([&](const void*, std::size_t) {
      ++calls;
      return Status::Ok();
    });
    REQUIRE(w.ok());
    REQUIRE((*w)->AddBytes("a", std::string(50'000, 'a'), 0644).ok());
    calls = 0;
  }
  CHECK(calls == 0);  // no end-of-archive marker sent for an abandoned stream
}
