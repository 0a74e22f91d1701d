#include "router/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace wharf::router {
namespace {

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string FormatTime(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// Request data is client-controlled: keep it on one line and inside its quotes.
std::string Clean(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f || c == '"' ? '?' : c);
  }
  return out;
}

}  // namespace

std::string FormatAccessLogLine(const AccessLogRecord& r) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.6f", static_cast<double>(r.duration.count()) / 1e6);
  auto quoted = [](std::string& line, const std::string& value) {
    line.append("\"").append(OrDash(Clean(value))).append("\"");
  };
  std::string line;
  line.reserve(384);
  line.append(OrDash(Clean(r.host))).append(" - [").append(FormatTime(r.start)).append("] \"");
  line.append(Clean(r.method)).append(" ").append(Clean(r.path)).append(" ");
  line.append(r.protocol.empty() ? "HTTP/1.1" : Clean(r.protocol)).append("\" ");
  line.append(std::to_string(r.status)).append(" ").append(std::to_string(r.bytes_received)).append(" ");
  line.append(std::to_string(r.bytes_sent)).append(" ");
  quoted(line, r.referer);
  line.append(" ");
  quoted(line, r.user_agent);
  line.append(" ");
  quoted(line, r.client);
  line.append(" ");
  quoted(line, r.endpoint);
  line.append(" x_forwarded_for:");
  quoted(line, r.forwarded_for);
  line.append(" x_forwarded_proto:");
  quoted(line, r.forwarded_proto);
  line.append(" vcap_request_id:");
  quoted(line, r.request_id);
  line.append(" response_time:").append(secs).append(" app_id:");
  quoted(line, r.app_guid);
  line.append(" app_index:");
  quoted(line, r.app_index);
  line.append(" instance_id:");
  quoted(line, r.instance_id);
  line.append(" x_cf_routererror:");
  quoted(line, r.router_error);
  return line;
}

Result<std::unique_ptr<FileAccessLogSink>> FileAccessLogSink::Open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Unavailable("opening access log " + path.string() + ": " + std::strerror(errno));
  return std::unique_ptr<FileAccessLogSink>(new FileAccessLogSink(fd));
}

FileAccessLogSink::~FileAccessLogSink() { ::close(fd_); }

void FileAccessLogSink::Write(const AccessLogRecord&, std::string_view line) {
  std::string buf(line);
  buf.push_back('\n');
  std::size_t off = 0;
  while (off < buf.size()) {
    ssize_t n = ::write(fd_, buf.data() + off, buf.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk must not stop the router; the line is lost
    off += static_cast<std::size_t>(n);
  }
}

void MemoryAccessLogSink::Write(const AccessLogRecord& record, std::string_view line) {
  std::lock_guard lock(mu_);
  lines_.emplace_back(line);
  records_.push_back(record);
}

std::vector<std::string> MemoryAccessLogSink::Lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

std::vector<AccessLogRecord> MemoryAccessLogSink::Records() const {
  std::lock_guard lock(mu_);
  return records_;
}

AccessLogWriter::AccessLogWriter(AccessLogSink& sink) : sink_(sink), thread_([this] { Run(); }) {}

AccessLogWriter::~AccessLogWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AccessLogWriter::Submit(std::vector<AccessLogRecord>&& batch) {
  if (batch.empty()) return;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(batch));
    ++submitted_;
  }
  cv_.notify_one();
}

void AccessLogWriter::Drain() {
  std::unique_lock lock(mu_);
  std::uint64_t target = submitted_;
  drained_.wait(lock, [&] { return written_ >= target; });
}

void AccessLogWriter::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and nothing left
    std::vector<AccessLogRecord> batch = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    for (const AccessLogRecord& r : batch) sink_.Write(r, FormatAccessLogLine(r));
    lock.lock();
    ++written_;
    drained_.notify_all();
  }
}

}  // namespace wharf::router
