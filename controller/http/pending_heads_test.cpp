#include "controller/http/pending_heads.h"

#include <doctest/doctest.h>

namespace wharf::controller {
namespace {

using std::chrono::milliseconds;
const PendingHeads::TimePoint t0{};

TEST_CASE("Waiting request heads expire at the deadline from their accept") {
  PendingHeads p({milliseconds(1000), 10, 10});
  CHECK(p.Admit(3, "127.0.0.1", t0).empty());
  CHECK(p.Admit(4, "127.0.0.1", t0 + milliseconds(400)).empty());
  CHECK(*p.NextDeadline() == t0 + milliseconds(1000));
  CHECK(p.Expired(t0 + milliseconds(999)).empty());
  CHECK(p.Expired(t0 + milliseconds(1000)) == std::vector<int>{3});
  CHECK(*p.NextDeadline() == t0 + milliseconds(1400));
  p.Remove(4);  // its head arrived
  CHECK(p.Expired(t0 + milliseconds(5000)).empty());
  CHECK_FALSE(p.NextDeadline().has_value());
  CHECK(p.size() == 0);
}

TEST_CASE("Over the per-peer limit a new connection evicts that peer's oldest, not another peer's") {
  PendingHeads p({milliseconds(1000), 100, 2});
  CHECK(p.Admit(10, "10.0.0.9", t0).empty());  // another peer, older than all
  CHECK(p.Admit(5, "127.0.0.1", t0 + milliseconds(1)).empty());
  CHECK(p.Admit(6, "127.0.0.1", t0 + milliseconds(2)).empty());
  CHECK(p.Admit(7, "127.0.0.1", t0 + milliseconds(3)) == std::vector<int>{5});
  CHECK(p.CountFor("127.0.0.1") == 2);
  CHECK(p.CountFor("10.0.0.9") == 1);
  CHECK(p.Admit(8, "127.0.0.1", t0 + milliseconds(4)) == std::vector<int>{6});
}

TEST_CASE("Over the total limit a new connection evicts the oldest of all") {
  PendingHeads p({milliseconds(1000), 3, 100});
  p.Admit(1, "a", t0 + milliseconds(5));
  p.Admit(2, "b", t0 + milliseconds(1));
  p.Admit(3, "c", t0 + milliseconds(9));
  CHECK(p.Admit(4, "d", t0 + milliseconds(10)) == std::vector<int>{2});
  CHECK(p.size() == 3);
  CHECK(p.CountFor("b") == 0);
}

TEST_CASE("A reused descriptor replaces its old record, and TakeAll empties the table") {
  PendingHeads p({milliseconds(1000), 2, 2});
  p.Admit(1, "a", t0);
  CHECK(p.Admit(1, "b", t0 + milliseconds(800)).empty());
  CHECK(p.CountFor("a") == 0);
  CHECK(p.Expired(t0 + milliseconds(1000)).empty());  // the new record's deadline counts
  p.Admit(2, "b", t0 + milliseconds(900));
  CHECK(p.TakeAll() == std::vector<int>{1, 2});
  CHECK(p.size() == 0);
  CHECK(p.CountFor("b") == 0);
}

}  // namespace
}  // namespace wharf::controller
