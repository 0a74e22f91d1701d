// Garbage collection of droplets, packages and blobs.
//
// Per app it keeps the newest `keep_droplets` droplets plus the current one;
// the packages those droplets came from, the newest package, and packages a
// build is staging; it deletes the other droplet and package rows (one
// transaction). Then it sweeps the blob store with the kept droplets, buildpack
// caches and package manifests as roots; blobs younger than `grace` survive, so
// an upload in progress is never swept. The blob lock is held exclusively for
// the whole run, so package creation cannot race with the sweep.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "common/status.h"
#include "common/time/clock.h"
#include "common/time/periodic_task.h"
#include "controller/platform/event_recorder.h"
#include "droplet-store/blob_store.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct GcResult {
  std::uint64_t removed_droplets = 0;
  std::uint64_t removed_packages = 0;
  std::uint64_t removed_blobs = 0;
  std::uint64_t freed_bytes = 0;
};

struct GcOptions {
  int keep_droplets = 5;
  std::chrono::seconds grace{3600};
};

class GcService {
 public:
  GcService(state::Database& db, store::BlobStore& blobs, std::shared_mutex& blob_lock, EventRecorder& events,
            GcOptions options)
      : db_(db), blobs_(blobs), blob_lock_(blob_lock), events_(events), options_(options) {}

  // `grace`: instead of the configured one (a full disk collects younger garbage too).
  Result<GcResult> Run(const Actor& actor, std::optional<std::chrono::seconds> grace = std::nullopt);

 private:
  state::Database& db_;
  store::BlobStore& blobs_;
  std::shared_mutex& blob_lock_;
  EventRecorder& events_;
  GcOptions options_;
};

}  // namespace wharf::controller
