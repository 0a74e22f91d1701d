#include "runtime/logs/file_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wharf::runtime {

std::size_t FileTail::Poll(const std::function<void(std::string_view)>& on_line, std::size_t max_line) {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < offset_) {
    offset_ = 0;  // truncated: start over
    partial_.clear();
  }
  std::size_t consumed = 0;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(offset_));
    if (n <= 0) break;
    offset_ += static_cast<std::uint64_t>(n);
    consumed += static_cast<std::size_t>(n);
    std::string_view chunk(buf, static_cast<std::size_t>(n));
    while (!chunk.empty()) {
      auto nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        partial_.append(chunk);
        chunk = {};
      } else {
        partial_.append(chunk.substr(0, nl));
        chunk.remove_prefix(nl + 1);
        if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
        std::string_view rest = partial_;
        while (rest.size() > max_line) {
          on_line(rest.substr(0, max_line));
          rest.remove_prefix(max_line);
        }
        on_line(rest);
        partial_.clear();
      }
      while (partial_.size() > max_line) {
        on_line(std::string_view(partial_).substr(0, max_line));
        partial_.erase(0, max_line);
      }
    }
  }
  ::close(fd);
  return consumed;
}

void FileTail::Flush(const std::function<void(std::string_view)>& on_line) {
  if (!partial_.empty()) on_line(partial_);
  partial_.clear();
}

}  // namespace wharf::runtime
