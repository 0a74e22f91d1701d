// Leader election through the database, for the jobs that must run in one process only when
// several wharfds share a PostgreSQL database (garbage collection; the orchestration loops:
// deployments, credential rotations, canary analysis, the autoscaler): the process that holds a
// Lease runs them, the others skip their turn.
//
// SQLite: one wharfd owns the file (DATA_DIR's lock), so it always holds the lease.
// PostgreSQL: a session advisory lock (pg_try_advisory_lock) on a connection of its own, keyed
// by the lease's name. Held() takes it when it is free, never waits, and keeps it while the
// session lives; when the holder dies or loses its connection, the server releases it and the
// next Held() of another process takes it. A holder that lost its connection learns it at its
// next Held(), so two processes may both run a job for at most one of its intervals: the jobs
// must stay safe to run twice (they are: each step is a transaction).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "state/sql/db.h"

namespace wharf::state {

namespace detail {
class LeaseEngine;
}

class Lease {
 public:
  Lease(Database& db, std::string_view name);
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Whether this process leads now (taking the lease if it is free). Thread-safe.
  bool Held();
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::unique_ptr<detail::LeaseEngine> impl_;  // null: always held (SQLite)
};

}  // namespace wharf::state
