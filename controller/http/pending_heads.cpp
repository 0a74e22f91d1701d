#include "controller/http/pending_heads.h"

namespace wharf::controller {

std::vector<int> PendingHeads::Admit(int id, const std::string& peer, TimePoint now) {
  Remove(id);  // an id reused after a close the caller did not report
  std::vector<int> dropped;
  while (CountFor(peer) >= limits_.max_per_peer && limits_.max_per_peer > 0) {
    std::optional<int> oldest = Oldest(&peer);
    if (!oldest) break;
    Remove(*oldest);
    dropped.push_back(*oldest);
  }
  while (entries_.size() >= limits_.max_total && limits_.max_total > 0) {
    std::optional<int> oldest = Oldest(nullptr);
    if (!oldest) break;
    Remove(*oldest);
    dropped.push_back(*oldest);
  }
  entries_[id] = Entry{peer, now};
  ++per_peer_[peer];
  return dropped;
}

void PendingHeads::Remove(int id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto count = per_peer_.find(it->second.peer);
  if (count != per_peer_.end() && --count->second == 0) per_peer_.erase(count);
  entries_.erase(it);
}

std::vector<int> PendingHeads::Expired(TimePoint now) {
  std::vector<int> expired;
  for (const auto& [id, entry] : entries_) {
    if (now - entry.since >= limits_.deadline) expired.push_back(id);
  }
  for (int id : expired) Remove(id);
  return expired;
}

std::vector<int> PendingHeads::TakeAll() {
  std::vector<int> all;
  for (const auto& [id, entry] : entries_) all.push_back(id);
  entries_.clear();
  per_peer_.clear();
  return all;
}

std::optional<PendingHeads::TimePoint> PendingHeads::NextDeadline() const {
  std::optional<int> oldest = Oldest(nullptr);
  if (!oldest) return std::nullopt;
  return entries_.at(*oldest).since + limits_.deadline;
}

std::size_t PendingHeads::CountFor(const std::string& peer) const {
  auto it = per_peer_.find(peer);
  return it == per_peer_.end() ? 0 : it->second;
}

std::optional<int> PendingHeads::Oldest(const std::string* peer) const {
  std::optional<int> oldest;
  TimePoint since{};
  for (const auto& [id, entry] : entries_) {
    if (peer && entry.peer != *peer) continue;
    if (!oldest || entry.since < since) {
      oldest = id;
      since = entry.since;
    }
  }
  return oldest;
}

}  // namespace wharf::controller
