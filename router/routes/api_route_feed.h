// A RouteFeed that follows wharfd's route stream (GET /v1/routing/stream on the API, a
// routing token): NDJSON, one {"version":N,"routes":[...]} line (routes_file.h's format) per
// routing table, empty keep-alive lines in between. Every table replaces the subscriber's
// whole table.
//
// The API going away changes nothing for traffic: the last table stays in force (instances
// keep running without the API) and the feed reconnects with backoff, 100 ms doubling to
// 5 s, taking the API's current table as soon as it is back. A stream silent for longer than
// `idle_timeout` (no table, no keep-alive) counts as lost. A line that does not parse is
// reported and skipped; the table stays.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "router/routes/api_url.h"
#include "router/routes/route_feed.h"
#include "router/tls_store.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace wharf::router {

struct ApiRouteFeedOptions {
  std::string api_url = "http://127.0.0.1:9022";  // http[s]://HOST:PORT[/PREFIX]
  // An https API's certificate is checked against the system's CAs and these (PEM; empty: none).
  std::string ca_file = {};
  std::string token;                              // sent as "Authorization: Bearer TOKEN"
  std::chrono::milliseconds connect_timeout{2'000};
  std::chrono::milliseconds idle_timeout{45'000};     // the API sends a keep-alive every 15 s
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5'000};
  std::chrono::milliseconds first_table_wait{5'000};  // Subscribe waits this long for a table
  // Where every table received is kept (written atomically), and read by Subscribe, so a
  // router restarted while the API is down serves the last table it had. Empty: none.
  std::filesystem::path cache_file;
  // Where each table's certificates go (null: ignored).
  std::shared_ptr<TlsCertificateStore> certificates;
};

class ApiRouteFeed final : public RouteFeed {
 public:
  // Connection changes and errors, for the process's log: what = "connected", "disconnected"
  // (a stream that was open ended), "unreachable" (no stream; said again only when the reason
  // changes), "bad-table", "bad-certificate" (a certificate left out), "cached" (the cache file's table applied at Subscribe),
  // "cache-failed" (a table could not be written to it; said once); detail says more (never
  // the token).
  using EventSink = std::function<void(std::string_view what, std::string_view detail)>;

  ApiRouteFeed(ApiRouteFeedOptions options, EventSink events);
  ~ApiRouteFeed() override;  // Unsubscribe()
  ApiRouteFeed(const ApiRouteFeed&) = delete;
  ApiRouteFeed& operator=(const ApiRouteFeed&) = delete;

  // Applies the cached table if there is one, starts following the stream and, without a
  // cached table, waits up to first_table_wait for the first one. Fails only on a malformed
  // api_url: an API that is down is retried in the background (without a cache, the
  // router answers 404 unknown_route until the first table arrives).
  Status Subscribe(RouteFeedSubscriber& subscriber) override;
  void Unsubscribe() override;

  // The API's version of the last table applied (0: none yet, or only the cached one;
  // restarts when the API does)
  // and whether the stream is open now.
  std::uint64_t version() const;
  bool connected() const;

 private:
  void Run();
  // One connection: returns why it ended; `*got_table` says whether a table arrived.
  Status FollowOnce(bool* got_table);
  void ApplyLine(const std::string& line, bool* got_table);
  Status ApplyCertificates(std::string_view text);
  bool Stopping();
  // Applies the table in cache_file; false when there is none or it does not parse.
  bool LoadCache();

  const ApiRouteFeedOptions options_;
  const EventSink events_;
  ApiUrl url_;
  RouteFeedSubscriber* subscriber_ = nullptr;
  bool cache_failure_reported_ = false;  // only the feed's thread touches it

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool connected_ = false;
  std::uint64_t version_ = 0;
  Poco::Net::HTTPClientSession* session_ = nullptr;  // the open connection, for Unsubscribe to shut down
  std::thread thread_;
};

}  // namespace wharf::router
