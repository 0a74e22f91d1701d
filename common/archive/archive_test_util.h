// Test support: builds archives entry by entry with libarchive's writer, so
// tests can craft exactly the hostile input they need (paths TarWriter would
// refuse, devices, hard links, sparse entries), plus a self-removing temp folder.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "common/file_io.h"
#include "common/testing/temp_dir.h"

namespace wharf::testing {

enum class TestFormat { kTar, kTarGz, kZip };

struct TestEntry {
  std::string path;
  unsigned type = AE_IFREG;  // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO, ...
  std::string content;       // file data
  std::uint32_t mode = 0644;
  std::string symlink;       // AE_IFLNK target
  std::string hardlink;      // when set: a hard link to this path
  std::int64_t sparse_size = -1;  // when set: declared size, content placed at its end as a sparse entry
};

inline TestEntry File(std::string path, std::string content, std::uint32_t mode = 0644) {
  return TestEntry{std::move(path), AE_IFREG, std::move(content), mode, {}, {}, -1};
}
inline TestEntry Dir(std::string path, std::uint32_t mode = 0755) {
  return TestEntry{std::move(path), AE_IFDIR, {}, mode, {}, {}, -1};
}
inline TestEntry Symlink(std::string path, std::string target) {
  return TestEntry{std::move(path), AE_IFLNK, {}, 0777, std::move(target), {}, -1};
}
inline TestEntry Hardlink(std::string path, std::string target) {
  return TestEntry{std::move(path), AE_IFREG, {}, 0644, {}, std::move(target), -1};
}
inline TestEntry Special(std::string path, unsigned type) {
  return TestEntry{std::move(path), type, {}, 0644, {}, {}, -1};
}

// Writes `entries` in order to `out`. Throws std::runtime_error on a libarchive failure.
inline void WriteTestArchive(const std::filesystem::path& out, TestFormat format, const std::vector<TestEntry>& entries) {
  struct archive* a = archive_write_new();
  auto check = [&](int rc, const char* what) {
    if (rc < ARCHIVE_WARN) {
      std::string msg = std::string(what) + ": " + (archive_error_string(a) ? archive_error_string(a) : "?");
      archive_write_free(a);
      throw std::runtime_error(msg);
    }
  };
  if (format == TestFormat::kZip) {
    check(archive_write_set_format_zip(a), "zip format");
  } else {
    check(archive_write_set_format_pax_restricted(a), "tar format");
    if (format == TestFormat::kTarGz) check(archive_write_add_filter_gzip(a), "gzip");
  }
  check(archive_write_open_filename(a, out.c_str()), "open");
  for (const TestEntry& t : entries) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_filetype(e, t.type);
    archive_entry_set_perm(e, t.mode);
    archive_entry_set_mtime(e, 1'700'000'000, 0);
    if (!t.hardlink.empty()) {
      archive_entry_set_hardlink(e, t.hardlink.c_str());
      archive_entry_set_size(e, 0);
    } else if (t.type == AE_IFLNK) {
      archive_entry_set_symlink(e, t.symlink.c_str());
    } else if (t.type == AE_IFREG && t.sparse_size >= 0) {
      archive_entry_set_size(e, t.sparse_size);
      archive_entry_sparse_add_entry(e, t.sparse_size - static_cast<std::int64_t>(t.content.size()),
                                     static_cast<std::int64_t>(t.content.size()));
    } else if (t.type == AE_IFREG) {
      archive_entry_set_size(e, static_cast<la_int64_t>(t.content.size()));
    }
    int rc = archive_write_header(a, e);
    archive_entry_free(e);
    check(rc, ("header of " + t.path).c_str());
    if (t.type == AE_IFREG && t.hardlink.empty() && !t.content.empty()) {
      la_ssize_t n = archive_write_data(a, t.content.data(), t.content.size());
      check(n < 0 ? ARCHIVE_FATAL : ARCHIVE_OK, ("data of " + t.path).c_str());
    }
  }
  check(archive_write_close(a), "close");
  archive_write_free(a);
}

using TempDir = ::wharf::testing::TempDir;

}  // namespace wharf::testing
