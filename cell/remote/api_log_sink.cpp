#include "cell/remote/api_log_sink.h"

#include "common/log_time.h"

namespace wharf::cell {

ApiLogSink::ApiLogSink(ApiClient& api, ApiLogSinkOptions options) : api_(api), options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

ApiLogSink::~ApiLogSink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status ApiLogSink::Append(std::string_view app_guid, const runtime::LogEntry& entry) {
  nlohmann::json j = {{"app_guid", std::string(app_guid)},
                      {"source_type", entry.source_type},
                      {"source_instance", entry.source_instance},
                      {"message", entry.message},
                      {"is_err", entry.is_err},
                      {"at", FormatRfc3339Micros(entry.at)}};
  std::lock_guard lock(mu_);
  if (queue_.size() >= options_.max_queued) {
    queue_.pop_front();
    ++dropped_;
  }
  queue_.push_back(std::move(j));
  return Status::Ok();
}

bool ApiLogSink::Flush() {
  std::lock_guard post(post_mu_);
  for (;;) {
    std::deque<nlohmann::json> batch;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return true;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    nlohmann::json entries = nlohmann::json::array();
    for (const nlohmann::json& e : batch) entries.push_back(e);
    nlohmann::json body = nlohmann::json::object();
    body["entries"] = std::move(entries);
    auto answer = api_.SendJson("POST", "/v1/cells/" + options_.cell_id + "/logs", body);
    std::lock_guard lock(mu_);
    if (answer.ok()) {
      sent_ += batch.size();
      continue;
    }
    // The API is away: the batch goes back in front, and a full queue loses its oldest entries.
    queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
    while (queue_.size() > options_.max_queued) {
      queue_.pop_front();
      ++dropped_;
    }
    return false;
  }
}

void ApiLogSink::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, options_.flush_interval, [this] { return stop_; });
    const bool last = stop_;
    lock.unlock();
    (void)Flush();
    lock.lock();
    if (last) return;
  }
}

std::uint64_t ApiLogSink::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

std::uint64_t ApiLogSink::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

std::size_t ApiLogSink::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace wharf::cell
