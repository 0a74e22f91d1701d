#include "controller/platform/test_support.h"

#include <doctest/doctest.h>

#include "common/archive/archive.h"

namespace wharf::controller::testing {

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
