// Room kept on the data disk for the deletes that free it (issue 10: with the disk full,
// `wharf delete` failed with "database or disk is full" and GC freed nothing). A file of
// `bytes` is allocated while there is room; a delete that finds the disk full releases it
// (state::DatabaseOptions::on_disk_full, for TransactReclaiming only) and runs again, and the
// daemon's disk watch then collects garbage at once (without the usual grace) and allocates the
// file again once there is room. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>

#include "common/status.h"

namespace wharf::controller {

class DiskReserve {
 public:
  DiskReserve(std::filesystem::path file, std::uint64_t bytes) : file_(std::move(file)), bytes_(bytes) {}

  // Allocates the file when it is missing and the disk has room for it four times over; true
  // when it is in place afterwards.
  bool Ensure();
  // Removes the file; true when there was one (space was freed).
  bool Release();
  // True when a Release happened since the last call (the disk watch's cue), and clears it.
  bool TakeReleased() { return released_.exchange(false); }

  // Bytes available to unprivileged writes on the disk of `path` (0 when unknown).
  static std::uint64_t FreeBytes(const std::filesystem::path& path);

  std::uint64_t bytes() const { return bytes_; }

 private:
  std::filesystem::path file_;
  std::uint64_t bytes_;
  std::mutex mu_;
  std::atomic<bool> released_{false};
};

}  // namespace wharf::controller
