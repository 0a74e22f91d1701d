// SHA-256 digests as lowercase hex, the address of every blob in the droplet store.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf {

// Incremental hasher for streamed content.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, std::size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // Returns the 64-character hex digest. The hasher must not be used afterwards.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view data);
Result<std::string> Sha256OfFile(const std::filesystem::path& path);

// True for exactly 64 lowercase hex characters.
bool IsSha256Hex(std::string_view s);

}  // namespace wharf
