// Shared pieces of the runtime's integration tests: a temporary state root
// readable by uid 2000, a tiny droplet, and waiting helpers.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "common/facts/vcap.h"
#include "common/file_io.h"
#include "runtime/container_runtime.h"

namespace wharf::runtime::testing {

struct TempRoot {
  std::filesystem::path path;
  TempRoot() {
    auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "wharf-rt-");
    path = dir.ok() ? *dir : std::filesystem::path();
    ::chmod(path.c_str(), 0755);  // uid 2000 must reach the app folders below it
  }
  ~TempRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// A droplet folder: app/ with an index.html and a start script, profile.d/, deps/.
inline std::filesystem::path MakeDroplet(const std::filesystem::path& where) {
  std::filesystem::create_directories(where / "app");
  std::filesystem::create_directories(where / "profile.d");
  std::filesystem::create_directories(where / "deps");
  std::ofstream(where / "app" / "index.html") << "hello from wharf\n";
  std::ofstream(where / "profile.d" / "0.sh") << "export FROM_PROFILE_D=yes\n";
  if (::geteuid() == 0) {
    for (auto& e : std::filesystem::recursive_directory_iterator(where)) {
      if (::lchown(e.path().c_str(), kVcapUid, kVcapGid) != 0) break;
    }
    if (::lchown(where.c_str(), kVcapUid, kVcapGid) != 0) return where;
  }
  return where;
}

// Polls `pred` every 10 ms until it holds or `timeout` passes (real processes only).
template <typename Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

inline std::string ReadAll(const std::filesystem::path& p) {
  auto r = ReadFile(p);
  return r.ok() ? *r : std::string();
}

}  // namespace wharf::runtime::testing
