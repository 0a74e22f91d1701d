// Uploads held on disk while they are checked: a scratch folder that goes with
// its owner, and Spool, which copies a request body to a file under a size cap.
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <string_view>

#include "common/status.h"

namespace wharf::controller {

// A temporary folder removed (with everything in it) when it goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Copies at most `max_bytes` of `in` to `path`. kTooLarge when there is more and
// kInvalidArgument when there is nothing, both naming `what` ("the buildpack archive").
Status Spool(std::istream& in, const std::filesystem::path& path, std::uint64_t max_bytes, std::string_view what);

}  // namespace wharf::controller
