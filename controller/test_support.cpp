#include "controller/test_support.h"

#include <doctest/doctest.h>

#include <system_error>

#include "common/archive.h"
#include "common/file_io.h"
#include "controller/migrations.h"

namespace wharf::controller::testing {

TempDir::TempDir() {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "wharf-controller-test-");
  REQUIRE_MESSAGE(dir.ok(), dir.status().ToString());
  path_ = *dir;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<Database> OpenMigrated(const std::filesystem::path& path, const Clock& clock) {
  auto db = Database::Open(path);
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  Status s = Migrate(**db, clock);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return std::move(db).value();
}

std::string TarOf(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  auto writer = TarWriter::ToCallback([&out](const void* data, std::size_t size) {
    out.append(static_cast<const char*>(data), size);
    return Status::Ok();
  });
  REQUIRE_MESSAGE(writer.ok(), writer.status().ToString());
  for (const auto& [name, content] : entries) {
    Status s = (*writer)->AddBytes(name, content, 0644);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  Status closed = (*writer)->Close();
  REQUIRE_MESSAGE(closed.ok(), closed.ToString());
  return out;
}

}  // namespace wharf::controller::testing
