#include "common/event_log.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <memory>

namespace wharf {
namespace {

bool IsSecretKey(std::string_view key) {
  for (std::string_view s : {"token", "password", "secret", "credentials"}) {
    if (key.find(s) != std::string_view::npos) return true;
  }
  return false;
}

void AppendValue(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

std::string FormatEvent(std::string_view event, const EventFields& fields) {
  std::string out(event);
  for (const auto& [k, v] : fields) {
    out += ' ';
    out += k;
    out += '=';
    AppendValue(out, IsSecretKey(k) ? "[redacted]" : v);
  }
  return out;
}

Result<std::unique_ptr<FileEventLog>> FileEventLog::Open(const std::filesystem::path& path, const Clock& clock,
                                                          bool echo_to_stderr) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Status::Internal("cannot open event log " + path.string() + ": " + std::strerror(errno));
  return std::unique_ptr<FileEventLog>(new FileEventLog(fd, clock, echo_to_stderr));
}

FileEventLog::~FileEventLog() { ::close(fd_); }

void FileEventLog::Write(std::string_view event, const EventFields& fields) {
  std::string line = FormatRfc3339(clock_.Now()) + " " + FormatEvent(event, fields) + "\n";
  std::lock_guard lock(mu_);
  // A failed log write must not take the platform down; there is nowhere better to report it.
  [[maybe_unused]] ssize_t n = ::write(fd_, line.data(), line.size());
  if (echo_) std::cerr << line << std::flush;
}

void MemoryEventLog::Write(std::string_view event, const EventFields& fields) {
  std::lock_guard lock(mu_);
  lines_.push_back(FormatEvent(event, fields));
}

std::vector<std::string> MemoryEventLog::Lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

}  // namespace wharf
