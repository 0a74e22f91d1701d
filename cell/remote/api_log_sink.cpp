#include "cell/remote/api_log_sink.h"

#include <map>

#include "common/time/clock.h"

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
  Queued q;
  q.app_guid = std::string(app_guid);
  q.json = nlohmann::json{{"app_guid", q.app_guid},
                          {"source_type", entry.source_type},
                          {"source_instance", entry.source_instance},
                          {"message", entry.message},
                          {"is_err", entry.is_err},
                          {"at", FormatRfc3339(entry.at)}}
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mu_);
  if (queue_.size() >= options_.max_queued) {
    queue_.pop_front();
    ++dropped_;
  }
  queue_.push_back(std::move(q));
  return Status::Ok();
}

ApiLogSink::Outcome ApiLogSink::Post(const std::vector<Queued>& batch) {
  std::string body = "{\"entries\":[";
  for (std::size_t i = 0; i < batch.size(); ++i) body += (i ? "," : "") + batch[i].json;
  body += "]}";
  auto answer = api_.SendJsonText("POST", "/v1/cells/" + options_.cell_id + "/logs", body);
  if (answer.ok()) return Outcome::kTaken;
  return answer.status().code() == StatusCode::kUnavailable ? Outcome::kAway : Outcome::kRefused;
}

void ApiLogSink::Requeue(std::vector<Queued> batch) {
  queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
  while (queue_.size() > options_.max_queued) {
    queue_.pop_front();
    ++dropped_;
  }
}

bool ApiLogSink::Flush() {
  std::lock_guard post(post_mu_);
  for (;;) {
    std::vector<Queued> batch;
    {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return true;
      std::size_t bytes = 0;
      while (!queue_.empty() && batch.size() < options_.max_batch &&
             (batch.empty() || bytes + queue_.front().json.size() <= options_.max_batch_bytes)) {
        bytes += queue_.front().json.size() + 1;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Outcome outcome = Post(batch);
    if (outcome == Outcome::kTaken) {
      std::lock_guard lock(mu_);
      sent_ += batch.size();
      continue;
    }
    if (outcome == Outcome::kAway) {
      std::lock_guard lock(mu_);
      Requeue(std::move(batch));
      return false;
    }
    // Refused: one app at a time (the API refuses the lines of an app no longer placed here, such as
    // a stopped instance's last ones); what it still refuses is dropped.
    std::map<std::string, std::vector<Queued>> by_app;
    for (Queued& q : batch) by_app[q.app_guid].push_back(std::move(q));
    for (auto it = by_app.begin(); it != by_app.end(); ++it) {
      outcome = Post(it->second);
      std::lock_guard lock(mu_);
      if (outcome == Outcome::kAway) {
        std::vector<Queued> rest;
        for (auto left = it; left != by_app.end(); ++left) {
          for (Queued& q : left->second) rest.push_back(std::move(q));
        }
        Requeue(std::move(rest));
        return false;
      }
      (outcome == Outcome::kTaken ? sent_ : dropped_) += it->second.size();
    }
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
