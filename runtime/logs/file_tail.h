// Follows a log file that another process appends to, line by line. Survives
// the file being truncated (copytruncate-style rotation) or not existing yet.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace wharf::runtime {

class FileTail {
 public:
  explicit FileTail(std::filesystem::path path, std::uint64_t start_offset = 0)
      : path_(std::move(path)), offset_(start_offset) {}

  // Calls `on_line` for each complete line appended since the last call (without
  // the newline). A line longer than `max_line` is cut into pieces of that size.
  // Returns the number of bytes consumed.
  std::size_t Poll(const std::function<void(std::string_view)>& on_line, std::size_t max_line = 64 * 1024);
  // Emits a last line that has no newline yet (call once the writer is gone).
  void Flush(const std::function<void(std::string_view)>& on_line);

  std::uint64_t offset() const { return offset_; }
  bool has_partial_line() const { return !partial_.empty(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::uint64_t offset_;
  std::string partial_;
};

}  // namespace wharf::runtime
