#include "router/routes/api_route_feed.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <istream>

#include "common/file_io.h"
#include "common/net/https_client.h"
#include "router/routes/routes_file.h"

namespace wharf::router {
namespace {

constexpr std::size_t kMaxErrorBody = 512;

Poco::Timespan Span(std::chrono::milliseconds ms) { return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000); }

// The N of a line that starts {"version":N,
std::uint64_t LineVersion(const std::string& line) {
  constexpr std::string_view kPrefix = "{\"version\":";
  std::uint64_t v = 0;
  if (line.starts_with(kPrefix)) std::from_chars(line.data() + kPrefix.size(), line.data() + line.size(), v);
  return v;
}

}  // namespace

ApiRouteFeed::ApiRouteFeed(ApiRouteFeedOptions options, EventSink events)
    : options_(std::move(options)), events_(std::move(events)) {}

ApiRouteFeed::~ApiRouteFeed() { Unsubscribe(); }

Status ApiRouteFeed::Subscribe(RouteFeedSubscriber& subscriber) {
  WHARF_ASSIGN_OR_RETURN(auto url, ParseApiUrl(options_.api_url));
  url_ = std::move(url);
  subscriber_ = &subscriber;
  const bool cached = LoadCache();
  thread_ = std::thread([this] { Run(); });
  if (cached) return Status::Ok();  // serving the cached table already; the stream replaces it
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, options_.first_table_wait, [this] { return version_ != 0 || stop_; });
  return Status::Ok();
}

bool ApiRouteFeed::LoadCache() {
  if (options_.cache_file.empty()) return false;
  auto text = ReadFile(options_.cache_file);
  if (!text.ok()) return false;  // none yet
  auto specs = ParseRoutesJson(*text);
  Status applied = specs.ok() ? ApplyCertificates(*text) : specs.status();
  if (applied.ok()) applied = subscriber_->ReplaceAll(*specs);
  if (!applied.ok()) {
    if (events_) events_("bad-table", options_.cache_file.string() + ": " + applied.message());
    return false;
  }
  if (events_) events_("cached", options_.cache_file.string() + " (" + std::to_string(specs->size()) + " routes)");
  return true;
}

void ApiRouteFeed::Unsubscribe() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (session_ != nullptr) {
      try {
        // The descriptor itself (wakes the reader; the fd is closed by its owner): Poco's shutdown
        // of a TLS socket would write a close_notify while the reader is inside SSL_read.
        if (session_->connected()) ::shutdown(session_->socket().impl()->sockfd(), SHUT_RDWR);
      } catch (const Poco::Exception&) {
      }
    }
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t ApiRouteFeed::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

bool ApiRouteFeed::connected() const {
  std::lock_guard lock(mu_);
  return connected_;
}

bool ApiRouteFeed::Stopping() {
  std::lock_guard lock(mu_);
  return stop_;
}

void ApiRouteFeed::Run() {
  auto backoff = options_.backoff_min;
  std::string last_error;
  while (!Stopping()) {
    bool got_table = false;
    Status why = FollowOnce(&got_table);
    bool was_connected = false;
    {
      std::lock_guard lock(mu_);
      was_connected = connected_;
      connected_ = false;
      if (stop_) break;
    }
    if (got_table) backoff = options_.backoff_min;
    // Report a lost stream once, and a failure to connect when its reason changes.
    if (was_connected || why.message() != last_error) {
      if (events_) events_(was_connected ? "disconnected" : "unreachable", why.message());
      last_error = why.message();
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, backoff, [this] { return stop_; });
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

Status ApiRouteFeed::FollowOnce(bool* got_table) {
  auto made = MakeHttpClientSession(url_.scheme, url_.host, url_.port, TlsClientOptions{true, options_.ca_file});
  if (!made.ok()) return made.status().WithContext(options_.api_url);
  Poco::Net::HTTPClientSession& session = **made;
  session.setTimeout(Span(options_.connect_timeout), Span(options_.connect_timeout), Span(options_.idle_timeout));
  {
    std::lock_guard lock(mu_);
    if (stop_) return Status::Ok();
    session_ = &session;
  }
  Status result = Status::Ok();
  try {
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, url_.path_prefix + "/v1/routing/stream",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + options_.token);
    request.set("Accept", "application/x-ndjson");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      std::string body(kMaxErrorBody, '\0');
      in.read(body.data(), static_cast<std::streamsize>(body.size()));
      body.resize(static_cast<std::size_t>(in.gcount()));
      result = Status::Unavailable(options_.api_url + "/v1/routing/stream answered " +
                                   std::to_string(static_cast<int>(response.getStatus())) + ": " + body);
    } else {
      {
        std::lock_guard lock(mu_);
        connected_ = true;
      }
      if (events_) events_("connected", options_.api_url);
      std::string line;
      while (std::getline(in, line)) {
        if (!line.empty()) ApplyLine(line, got_table);
      }
      result = Status::Unavailable("the route stream from " + options_.api_url + " ended");
    }
  } catch (const Poco::Exception& e) {
    std::optional<std::string> tls = DescribeTlsFailure(e, options_.api_url);
    result = Status::Unavailable(tls ? *tls : options_.api_url + ": " + e.displayText());
  } catch (const std::exception& e) {
    result = Status::Unavailable(options_.api_url + ": " + e.what());
  }
  std::lock_guard lock(mu_);
  session_ = nullptr;
  return result;
}

Status ApiRouteFeed::ApplyCertificates(std::string_view text) {
  if (!options_.certificates) return Status::Ok();
  WHARF_ASSIGN_OR_RETURN(auto certs, ParseCertificatesJson(text));
  Status loaded = options_.certificates->Replace(certs);  // a pair that does not load is left out
  if (!loaded.ok() && events_) events_("bad-certificate", loaded.message());
  return Status::Ok();
}

void ApiRouteFeed::ApplyLine(const std::string& line, bool* got_table) {
  auto specs = ParseRoutesJson(line);
  Status applied = specs.ok() ? ApplyCertificates(line) : specs.status();
  if (applied.ok()) applied = subscriber_->ReplaceAll(*specs);
  if (!applied.ok()) {
    if (events_) events_("bad-table", applied.message());
    return;
  }
  *got_table = true;
  if (!options_.cache_file.empty()) {
    Status kept = WriteFileAtomic(options_.cache_file, line + "\n", 0600);
    if (!kept.ok() && !cache_failure_reported_ && events_) events_("cache-failed", kept.message());
    cache_failure_reported_ = cache_failure_reported_ || !kept.ok();
  }
  {
    std::lock_guard lock(mu_);
    const std::uint64_t v = LineVersion(line);
    version_ = v != 0 ? v : version_ + 1;
  }
  cv_.notify_all();
}

}  // namespace wharf::router
