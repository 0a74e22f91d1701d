// The buildpacks table in SQL. Bound to one transaction. The store moves rows
// as it is told; keeping positions contiguous (1..n) is the service's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::state {

class BuildpackStore {
 public:
  explicit BuildpackStore(Tx& tx) : tx_(tx) {}

  // kConflict "buildpack 'x' already exists".
  Status Insert(const Buildpack& buildpack);
  // kNotFound "buildpack 'guid' not found".
  Result<Buildpack> Get(std::string_view guid);
  Result<std::optional<Buildpack>> FindByName(std::string_view name);
  Result<std::vector<Buildpack>> List();  // by position
  Result<std::int64_t> Count();
  // Writes every column but guid and created_at. kConflict on a taken name.
  Status Update(const Buildpack& buildpack);
  Status Delete(std::string_view guid);
  // Adds `delta` to the position of every buildpack with from <= position <= to.
  Status Shift(std::int64_t from, std::int64_t to, std::int64_t delta);
  // The archive blobs of uploaded buildpacks (GC roots).
  Result<std::vector<std::string>> ArchiveBlobs();

 private:
  Tx& tx_;
};

}  // namespace wharf::state
