// A route table kept in a JSON file, for running wharf-router on its own (benchmarks,
// tests, small setups). The file is re-read when it changes (checked by polling its size,
// mtime and inode, so editors' write-and-rename works); an invalid file is reported and
// the previous table stays in force.
//
// {"routes": [
//   {"route": "app1.test/api", "load_balancing": "round-robin",
//    "endpoints": [{"instance_id": "i-0", "app_guid": "g", "address": "127.0.0.1:9001",
//                   "weight": 1, "version": "r1", "healthy": true,
//                   "tag": {"guid": "", "index": 0}}]}]}
// Only "route" and each endpoint's "instance_id" and "address" are required.
// Optional, for HTTPS (router/tls_store.h): "certificates": [{"domain": "a.test",
//   "certificate": PEM, "private_key": PEM, "http": "redirect"|"refuse"|"allow"}]
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "router/routes/route_feed.h"
#include "router/tls_store.h"

namespace wharf::router {

// Errors name the entry, e.g. "routes[1].endpoints[0].address: missing port".
// Other members of the top-level object (a stream's "version") are ignored.
Result<std::vector<RouteSpec>> ParseRoutesJson(std::string_view text);
// The inverse: `routes` as a routes document in the format above (every field written),
// so ParseRoutesJson(RoutesToJson(t)) gives back t.
std::string RoutesToJson(const std::vector<RouteSpec>& routes, const std::vector<TlsCertificate>& certificates = {});
// The document's "certificates" (none when absent). Errors name the entry, never a key.
Result<std::vector<TlsCertificate>> ParseCertificatesJson(std::string_view text);

class FileRouteFeed final : public RouteFeed {
 public:
  // `on_error` receives reload failures (the table stays as it was); may be empty.
  FileRouteFeed(std::filesystem::path path, std::chrono::milliseconds poll_interval,
                std::function<void(const Status&)> on_error);
  ~FileRouteFeed() override;

  // Loads the file (failing if it is missing or invalid) and starts watching it.
  Status Subscribe(RouteFeedSubscriber& subscriber) override;
  void Unsubscribe() override;
  // Where the file's certificates go on each load (null: ignored). Set before Subscribe.
  void SetCertificateStore(std::shared_ptr<TlsCertificateStore> store) { certificates_ = std::move(store); }

  // Re-reads the file if it changed since the last load; returns whether it loaded a new
  // table. Used by the watch thread; callable directly in tests.
  Result<bool> PollOnce();

 private:
  struct FileId {
    std::uintmax_t size = 0;
    std::int64_t mtime_ns = 0;
    std::uint64_t inode = 0;
    bool operator==(const FileId&) const = default;
  };
  Result<FileId> Stat() const;
  Status Load(const FileId& id);
  void Watch();

  const std::filesystem::path path_;
  const std::chrono::milliseconds poll_interval_;
  std::function<void(const Status&)> on_error_;
  RouteFeedSubscriber* subscriber_ = nullptr;
  std::shared_ptr<TlsCertificateStore> certificates_;
  FileId loaded_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wharf::router
