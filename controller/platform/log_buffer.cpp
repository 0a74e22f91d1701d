#include "controller/platform/log_buffer.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <system_error>

#include "common/time/log_time.h"

namespace wharf::controller {
namespace {

// Bytes read from the end of an app's file to refill its ring after a restart.
constexpr std::uintmax_t kTailBytes = 1 << 20;

bool IsSafeFileName(std::string_view guid) {
  if (guid.empty() || guid.size() > 64) return false;
  for (char c : guid) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-')) return false;
  }
  return true;
}

void AppendToFile(const std::filesystem::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return;
  // One write per batch with O_APPEND: lines never interleave. A short write loses the tail only.
  [[maybe_unused]] ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
}

}  // namespace

std::string FormatLogFileLine(const LogLine& line) {
  return line.timestamp + " [" + line.source + "] " + line.stream + " " + line.message;
}

bool ParseLogFileLine(std::string_view text, LogLine& out) {
  std::size_t sp = text.find(" [");
  if (sp == std::string_view::npos) return false;
  std::size_t close = text.find("] ", sp + 2);
  if (close == std::string_view::npos) return false;
  std::size_t stream_end = text.find(' ', close + 2);
  std::string_view stream = text.substr(close + 2, stream_end == std::string_view::npos ? text.npos : stream_end - close - 2);
  if (stream != "OUT" && stream != "ERR") return false;
  out.timestamp = std::string(text.substr(0, sp));
  out.source = std::string(text.substr(sp + 2, close - sp - 2));
  out.stream = std::string(stream);
  out.message = stream_end == std::string_view::npos ? std::string() : std::string(text.substr(stream_end + 1));
  return true;
}

LogBuffer::LogBuffer(std::filesystem::path dir, const Clock& clock, std::size_t lines_per_app,
                     std::uint64_t max_file_bytes)
    : dir_(std::move(dir)),
      clock_(clock),
      lines_per_app_(lines_per_app == 0 ? 1 : lines_per_app),
      max_file_bytes_(max_file_bytes == 0 ? kDefaultMaxFileBytes : max_file_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);  // without it only the file copies are lost
}

std::filesystem::path LogBuffer::FileOf(const std::string& app_guid) const {
  if (!IsSafeFileName(app_guid)) return {};
  return dir_ / (app_guid + ".log");
}

void LogBuffer::LoadTailLocked(const std::string& app_guid, std::deque<LogLine>& ring) {
  std::filesystem::path path = FileOf(app_guid);
  if (path.empty()) return;
  std::error_code ec;
  std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return;
  std::ifstream in(path, std::ios::binary);
  if (!in) return;
  if (size > kTailBytes) {
    in.seekg(static_cast<std::streamoff>(size - kTailBytes));
    std::string partial;
    std::getline(in, partial);  // skip the cut line
  }
  std::string text;
  while (std::getline(in, text)) {
    LogLine line;
    if (!ParseLogFileLine(text, line)) continue;
    line.seq = 0;  // older than anything a follower can be waiting for
    ring.push_back(std::move(line));
    if (ring.size() > lines_per_app_) ring.pop_front();
  }
}

std::deque<LogLine>& LogBuffer::RingLocked(const std::string& app_guid) {
  auto it = rings_.find(app_guid);
  if (it != rings_.end()) return it->second;
  std::deque<LogLine>& ring = rings_[app_guid];
  LoadTailLocked(app_guid, ring);
  return ring;
}

void LogBuffer::Append(const std::string& app_guid, std::string_view source, std::string_view stream,
                       std::string_view message) {
  std::string timestamp = FormatRfc3339Micros(clock_.Now());  // sub-second, as cf's log lines
  std::string file_text;
  {
    std::lock_guard lock(mu_);
    std::deque<LogLine>& ring = RingLocked(app_guid);
    std::size_t start = 0;
    do {
      std::size_t nl = message.find('\n', start);
      std::string_view part = message.substr(start, nl == std::string_view::npos ? message.npos : nl - start);
      if (!part.empty() && part.back() == '\r') part.remove_suffix(1);
      LogLine line{next_seq_++, timestamp, std::string(source), std::string(stream), std::string(part)};
      file_text += FormatLogFileLine(line) + "\n";
      ring.push_back(std::move(line));
      if (ring.size() > lines_per_app_) ring.pop_front();
      if (nl == std::string_view::npos) break;
      start = nl + 1;
    } while (start < message.size());
  }
  cv_.notify_all();
  std::filesystem::path path = FileOf(app_guid);
  if (!path.empty()) WriteFile(app_guid, path, file_text);
}

void LogBuffer::WriteFile(const std::string& app_guid, const std::filesystem::path& path, const std::string& text) {
  std::lock_guard lock(file_mu_);
  auto [it, fresh] = file_sizes_.try_emplace(app_guid, 0);
  std::error_code ec;
  if (fresh) {
    std::uintmax_t now = std::filesystem::file_size(path, ec);
    it->second = ec ? 0 : static_cast<std::uint64_t>(now);
  }
  if (it->second > 0 && it->second + text.size() > max_file_bytes_) {
    std::filesystem::path old = path;
    old += ".1";
    std::filesystem::rename(path, old, ec);  // replaces the previous .1
    it->second = 0;
  }
  AppendToFile(path, text);
  it->second += text.size();
}

std::vector<LogLine> LogBuffer::Recent(const std::string& app_guid, std::size_t limit) {
  std::lock_guard lock(mu_);
  const std::deque<LogLine>& ring = RingLocked(app_guid);
  std::size_t n = std::min(limit, ring.size());
  return std::vector<LogLine>(ring.end() - static_cast<std::ptrdiff_t>(n), ring.end());
}

std::uint64_t LogBuffer::LastSeq() {
  std::lock_guard lock(mu_);
  return next_seq_ - 1;
}

std::vector<LogLine> LogBuffer::WaitAfter(const std::string& app_guid, std::uint64_t after,
                                          std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::vector<LogLine> out;
  auto collect = [&] {
    if (shut_down_) return true;
    const std::deque<LogLine>& ring = RingLocked(app_guid);
    for (auto it = ring.rbegin(); it != ring.rend() && it->seq > after; ++it) out.push_back(*it);
    return !out.empty();
  };
  cv_.wait_for(lock, timeout, collect);
  if (shut_down_) return {};
  return std::vector<LogLine>(out.rbegin(), out.rend());
}

void LogBuffer::Forget(const std::string& app_guid) {
  {
    std::lock_guard lock(mu_);
    rings_.erase(app_guid);
  }
  std::filesystem::path path = FileOf(app_guid);
  if (path.empty()) return;
  std::lock_guard lock(file_mu_);
  file_sizes_.erase(app_guid);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::filesystem::path old = path;
  old += ".1";
  std::filesystem::remove(old, ec);
}

void LogBuffer::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
  }
  cv_.notify_all();
}

bool LogBuffer::IsShutDown() {
  std::lock_guard lock(mu_);
  return shut_down_;
}

}  // namespace wharf::controller
