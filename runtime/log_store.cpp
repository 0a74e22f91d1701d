#include "runtime/log_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <ctime>
#include <sstream>

#include "common/file_io.h"

namespace wharf::runtime {

namespace fs = std::filesystem;
using std::chrono::system_clock;

namespace {

constexpr const char* kCurrent = "current.log";

std::string Encode(const LogEntry& e) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch()).count();
  std::string msg = e.message;
  for (char& c : msg) if (c == '\n' || c == '\r') c = ' ';
  return std::to_string(ms) + "\t" + e.source_type + "\t" + e.source_instance + "\t" + (e.is_err ? "ERR" : "OUT") +
         "\t" + msg + "\n";
}

bool Decode(std::string_view line, LogEntry& e) {
  std::size_t pos[4];
  std::size_t at = 0;
  for (auto& p : pos) {
    p = line.find('\t', at);
    if (p == std::string_view::npos) return false;
    at = p + 1;
  }
  e.at = system_clock::time_point{std::chrono::milliseconds{std::atoll(std::string(line.substr(0, pos[0])).c_str())}};
  e.source_type = line.substr(pos[0] + 1, pos[1] - pos[0] - 1);
  e.source_instance = line.substr(pos[1] + 1, pos[2] - pos[1] - 1);
  e.is_err = line.substr(pos[2] + 1, pos[3] - pos[2] - 1) == "ERR";
  e.message = line.substr(pos[3] + 1);
  return true;
}

bool SafeGuid(std::string_view g) {
  if (g.empty() || g.size() > 128) return false;
  for (char c : g) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return g != "." && g != "..";
}

}  // namespace

std::string FormatLogEntry(const LogEntry& e) {
  auto secs = system_clock::to_time_t(e.at);
  auto centis = std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch()).count() % 1000 / 10;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%02lld", static_cast<long long>(centis));
  return std::string(buf) + frac + "+0000 [" + e.source_type + "/" + e.source_instance + "] " +
         (e.is_err ? "ERR " : "OUT ") + e.message;
}

std::string AppSourceType(std::string_view process_type) {
  std::string t = "APP/PROC/";
  for (char c : process_type) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return t;
}

LogStore::LogStore(fs::path dir, LogStoreLimits limits) : dir_(std::move(dir)), limits_(limits) {}

LogStore::~LogStore() {
  for (auto& [guid, app] : apps_) {
    if (app.fd >= 0) ::close(app.fd);
  }
}

fs::path LogStore::AppDir(const std::string& guid) const { return dir_ / guid; }

LogStore::App& LogStore::AppFor(const std::string& guid) {
  auto it = apps_.find(guid);
  if (it != apps_.end()) return it->second;
  return apps_[guid];
}

void LogStore::LoadFromFiles(const std::string& guid, App& app) {
  app.loaded = true;
  std::deque<LogEntry> from_files;
  for (int i = limits_.files - 1; i >= 0; --i) {
    fs::path file = AppDir(guid) / (i == 0 ? std::string(kCurrent) : "log." + std::to_string(i));
    auto text = ReadFile(file);
    if (!text.ok()) continue;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
      LogEntry e;
      if (!Decode(line, e)) continue;
      from_files.push_back(std::move(e));
      if (from_files.size() > limits_.recent_lines) from_files.pop_front();
    }
  }
  app.recent = std::move(from_files);
}

Status LogStore::Rotate(const std::string& guid, App& app) {
  if (app.fd >= 0) ::close(app.fd);
  app.fd = -1;
  fs::path d = AppDir(guid);
  std::error_code ec;
  for (int i = limits_.files - 1; i >= 1; --i) {
    fs::path from = i == 1 ? d / kCurrent : d / ("log." + std::to_string(i - 1));
    fs::rename(from, d / ("log." + std::to_string(i)), ec);
  }
  if (limits_.files <= 1) fs::remove(d / kCurrent, ec);
  app.size = 0;
  return Status::Ok();
}

Status LogStore::Append(std::string_view app_guid, const LogEntry& entry) {
  if (!SafeGuid(app_guid)) return Status::InvalidArgument("bad app guid for logs: '" + std::string(app_guid) + "'");
  std::string guid(app_guid);
  std::vector<std::function<void(const LogEntry&)>> to_call;
  Status result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    App& app = AppFor(guid);
    if (!app.loaded) LoadFromFiles(guid, app);  // before this entry reaches the file
    app.recent.push_back(entry);
    while (app.recent.size() > limits_.recent_lines) app.recent.pop_front();
    if (app.fd < 0) {
      std::error_code ec;
      fs::create_directories(AppDir(guid), ec);
      fs::path file = AppDir(guid) / kCurrent;
      app.fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
      struct stat st {};
      app.size = (app.fd >= 0 && ::fstat(app.fd, &st) == 0) ? static_cast<std::uint64_t>(st.st_size) : 0;
    }
    if (app.fd < 0) {
      result = Status::Internal("cannot open log file for app " + guid);
    } else {
      std::string line = Encode(entry);
      if (::write(app.fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        result = Status::Internal("cannot write log file for app " + guid);
      }
      app.size += line.size();
      if (app.size > limits_.file_bytes) result = Rotate(guid, app);
    }
    for (auto& [id, sub] : subscribers_) {
      if (sub.app == guid) to_call.push_back(sub.fn);
    }
  }
  for (auto& fn : to_call) fn(entry);
  return result;
}

std::vector<LogEntry> LogStore::Recent(std::string_view app_guid, std::size_t max) {
  if (!SafeGuid(app_guid)) return {};
  std::lock_guard<std::mutex> lock(mu_);
  std::string guid(app_guid);
  App& app = AppFor(guid);
  if (!app.loaded) LoadFromFiles(guid, app);
  std::size_t n = std::min(max, app.recent.size());
  return std::vector<LogEntry>(app.recent.end() - static_cast<std::ptrdiff_t>(n), app.recent.end());
}

LogStore::Subscription LogStore::Subscribe(std::string_view app_guid, std::function<void(const LogEntry&)> on_entry) {
  std::lock_guard<std::mutex> lock(mu_);
  Subscription id = next_id_++;
  subscribers_[id] = {std::string(app_guid), std::move(on_entry)};
  return id;
}

void LogStore::Unsubscribe(Subscription id) {
  std::lock_guard<std::mutex> lock(mu_);
  subscribers_.erase(id);
}

void LogStore::Forget(std::string_view app_guid) {
  if (!SafeGuid(app_guid)) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = apps_.find(app_guid);
  if (it != apps_.end()) {
    if (it->second.fd >= 0) ::close(it->second.fd);
    apps_.erase(it);
  }
  std::error_code ec;
  fs::remove_all(AppDir(std::string(app_guid)), ec);
}

}  // namespace wharf::runtime
