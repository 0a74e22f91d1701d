#include "router/api_access_log_sink.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "common/net/https_client.h"

namespace wharf::router {

Result<std::unique_ptr<ApiAccessLogSink>> ApiAccessLogSink::Start(ApiAccessLogOptions options) {
  WHARF_ASSIGN_OR_RETURN(auto url, ParseApiUrl(options.api_url));
  std::unique_ptr<ApiAccessLogSink> sink(new ApiAccessLogSink(std::move(options), std::move(url)));
  sink->thread_ = std::thread([s = sink.get()] { s->Run(); });
  return sink;
}

ApiAccessLogSink::ApiAccessLogSink(ApiAccessLogOptions options, ApiUrl url)
    : options_(std::move(options)), url_(std::move(url)) {}

ApiAccessLogSink::~ApiAccessLogSink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ApiAccessLogSink::Write(const AccessLogRecord& record, std::string_view line) {
  if (record.app_guid.empty()) return;  // unknown route, no app to log to
  std::string entry = nlohmann::json{{"app_guid", record.app_guid}, {"line", line}}.dump(
                          -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                      "\n";
  std::lock_guard lock(mu_);
  if (queue_.size() >= options_.max_queued) {
    queue_.pop_front();
    ++dropped_;
  }
  queue_.push_back(std::move(entry));
}

std::uint64_t ApiAccessLogSink::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

std::uint64_t ApiAccessLogSink::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void ApiAccessLogSink::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, options_.flush_interval, [this] { return stop_; });
    const bool last = stop_;
    while (!queue_.empty()) {
      std::string body;
      std::size_t n = 0;
      while (!queue_.empty() && n < options_.max_batch) {
        body += queue_.front();
        queue_.pop_front();
        ++n;
      }
      lock.unlock();
      const bool ok = Post(body);
      lock.lock();
      (ok ? sent_ : dropped_) += n;
      if (!ok) break;  // the API is away: the next batch waits for the next interval
    }
    if (last) return;
  }
}

bool ApiAccessLogSink::Post(const std::string& body) {
  try {
    auto made = MakeHttpClientSession(url_.scheme, url_.host, url_.port, TlsClientOptions{true, options_.ca_file});
    if (!made.ok()) return false;
    Poco::Net::HTTPClientSession& session = **made;
    session.setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(options_.timeout.count()) * 1000));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, url_.path_prefix + "/v1/routing/access-log",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + options_.token);
    request.setContentType("application/x-ndjson");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    in.ignore(std::numeric_limits<std::streamsize>::max());
    return response.getStatus() / 100 == 2;
  } catch (const Poco::Exception&) {
    return false;
  }
}

}  // namespace wharf::router
