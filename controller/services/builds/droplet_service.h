// Droplets that did not come from this platform's staging, and an app's choice of
// droplet (Cloud Foundry's `push --droplet`, `set-droplet`, `download-droplet`).
//
// Upload reads a droplet tarball (at most `max_bytes`), unpacks it into a scratch
// folder with the safe extractor (no "..", absolute paths, escaping links, device
// files or bombs), and requires an `app/` folder and a description of its process
// types: `droplet.json` as Wharf's stager writes it, else Cloud Foundry's
// `staging_info.yml` whose `start_command` becomes the web process. The tarball is
// then stored as a blob and recorded as a droplet of the app (event
// droplet-uploaded); it does not become current by itself.
// SetCurrent makes one of the app's own droplets its current one (event
// app-droplet-set) and adds the processes its types name that the app lacks; the
// next start or restart runs it, as in Cloud Foundry.
// Open gives a droplet's tarball for download.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "droplet-store/blob_store.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// Adds to `app` a process for each of `process_types` it lacks (web: 1 instance,
// others 0, each with its type's default health check), as a new droplet does.
Status AddMissingProcesses(state::Tx& tx, const state::App& app,
                           const std::map<std::string, std::string>& process_types, const std::string& now);

struct DropletDownload {
  state::Droplet droplet;
  std::unique_ptr<std::ifstream> tarball;  // open: a GC after Open cannot take it away
};

class DropletService {
 public:
  // `scratch_dir` holds uploads while they are checked (created when needed).
  DropletService(state::Database& db, const Clock& clock, EventRecorder& events, store::BlobStore& blobs,
                 std::shared_mutex& blob_lock, std::filesystem::path scratch_dir)
      : db_(db),
        clock_(clock),
        events_(events),
        blobs_(blobs),
        blob_lock_(blob_lock),
        scratch_dir_(std::move(scratch_dir)) {}

  // kNotFound for an unknown app; kInvalidArgument naming what is wrong with the
  // tarball; kTooLarge over `max_bytes`.
  Result<state::Droplet> Upload(const Actor& actor, const std::string& app_guid, std::istream& tarball,
                                std::uint64_t max_bytes);
  // kNotFound for an unknown app or droplet, and for a droplet of another app.
  Result<state::Droplet> SetCurrent(const Actor& actor, const std::string& app_guid, const std::string& droplet_guid);
  // kNotFound for an unknown droplet or a missing blob.
  Result<DropletDownload> Open(const std::string& droplet_guid);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  store::BlobStore& blobs_;
  std::shared_mutex& blob_lock_;
  std::filesystem::path scratch_dir_;
};

}  // namespace wharf::controller
