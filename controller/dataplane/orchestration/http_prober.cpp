#include "controller/dataplane/orchestration/http_prober.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <limits>
#include <vector>

namespace wharf::controller {

bool HttpProber::Send(ProbeJob job) {
  std::unique_lock lock(mu_);
  if (stopping_) return false;
  // Finished jobs' threads are joined here, so at most one thread per app is ever kept.
  for (auto it = done_.begin(); it != done_.end();) {
    if (it->second) {
      if (auto t = jobs_.find(it->first); t != jobs_.end()) {
        t->second.join();
        jobs_.erase(t);
      }
      it = done_.erase(it);
    } else {
      ++it;
    }
  }
  if (jobs_.contains(job.app_guid)) return false;
  const std::string app = job.app_guid;
  done_[app] = false;
  jobs_.emplace(app, std::thread([this, job = std::move(job)] {
    Run(job);
    std::lock_guard l(mu_);
    done_[job.app_guid] = true;
  }));
  return true;
}

void HttpProber::Stop() {
  std::map<std::string, std::thread> jobs;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  // The threads take mu_ as they finish: join them without holding it.
  {
    std::lock_guard lock(mu_);
    jobs.swap(jobs_);
  }
  for (auto& [app, t] : jobs) t.join();
}

std::uint64_t HttpProber::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

void HttpProber::Run(const ProbeJob& job) {
  // Interleave the revisions, spaced evenly over the spread.
  std::vector<std::int64_t> order;
  std::vector<int> left;
  for (const auto& [revision, n] : job.requests) left.push_back(n);
  for (bool any = true; any;) {
    any = false;
    for (std::size_t i = 0; i < job.requests.size(); ++i) {
      if (left[i] > 0) {
        order.push_back(job.requests[i].first);
        --left[i];
        any = true;
      }
    }
  }
  if (order.empty()) return;
  const auto gap = job.spread / static_cast<long>(order.size());
  auto next = std::chrono::steady_clock::now();
  for (std::int64_t revision : order) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_until(lock, next, [this] { return stopping_; })) return;
      ++sent_;
    }
    (void)Probe(job, revision);
    next += gap;
  }
}

bool HttpProber::Probe(const ProbeJob& job, std::int64_t revision) {
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port_);
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, job.path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(job.host);
    request.set("X-Wharf-Revision", std::to_string(revision));
    request.set("User-Agent", "wharf-canary-probe");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& body = session.receiveResponse(response);
    body.ignore(std::numeric_limits<std::streamsize>::max());
    return true;
  } catch (const std::exception&) {
    return false;  // the router counts what reached it; a failed probe is simply not counted
  }
}

}  // namespace wharf::controller
