// Connections accepted by the API whose request head has not fully arrived:
// which to give up on, and when. Pure bookkeeping (the caller passes the time),
// so the limits are tested without sockets or sleeping.
//   - a head must arrive whole within `deadline` of the accept;
//   - at most `max_per_peer` heads wait per peer address and `max_total` in all;
//     a new connection over a limit evicts the oldest waiting one (of that peer,
//     else overall) rather than being refused: a client that sends its head at
//     once gets through while a slow sender's old connections make room.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wharf::controller {

struct PendingHeadLimits {
  std::chrono::milliseconds deadline{10000};
  std::size_t max_total = 1024;
  std::size_t max_per_peer = 256;
};

class PendingHeads {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit PendingHeads(PendingHeadLimits limits) : limits_(limits) {}

  // Records connection `id` from `peer`, accepted at `now`. Returns the ids to drop
  // to stay within the limits (never `id` itself); they are no longer recorded.
  std::vector<int> Admit(int id, const std::string& peer, TimePoint now);
  // The head of `id` arrived, or the connection went away.
  void Remove(int id);
  // Ids whose deadline passed at `now`; they are no longer recorded.
  std::vector<int> Expired(TimePoint now);
  // Every id still recorded; none is recorded afterwards.
  std::vector<int> TakeAll();
  // When the earliest deadline passes (none when nothing waits).
  std::optional<TimePoint> NextDeadline() const;

  std::size_t size() const { return entries_.size(); }
  std::size_t CountFor(const std::string& peer) const;

 private:
  struct Entry {
    std::string peer;
    TimePoint since;
  };
  // The oldest entry, of `peer` only when it is given.
  std::optional<int> Oldest(const std::string* peer) const;

  PendingHeadLimits limits_;
  std::map<int, Entry> entries_;
  std::map<std::string, std::size_t> per_peer_;
};

}  // namespace wharf::controller
