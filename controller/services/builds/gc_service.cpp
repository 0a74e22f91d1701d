#include "controller/services/builds/gc_service.h"

#include <set>

#include "deployments/revision_diff.h"
#include "droplet-store/garbage_collector.h"
#include "state/apps/app_store.h"
#include "state/apps/build_store.h"
#include "state/apps/buildpack_store.h"
#include "state/apps/droplet_store.h"
#include "state/apps/package_store.h"
#include "state/apps/revision_store.h"
#include "state/apps/task_store.h"

namespace wharf::controller {
namespace {

// Decides, in one transaction, which rows live; deletes the rest and returns the blob roots.
// Without `prune` (a read transaction: the disk is too full to write), every row lives.
Result<store::GcRoots> PruneRows(state::Tx& tx, int keep_droplets, GcResult& result, bool prune = true) {
  store::GcRoots roots;
  state::AppStore apps(tx);
  state::PackageStore packages(tx);
  state::DropletStore droplets(tx);
  WHARF_ASSIGN_OR_RETURN(auto staging, state::BuildStore(tx).PackagesBeingStaged());
  WHARF_ASSIGN_OR_RETURN(auto app_guids, apps.AllGuids());
  // A task still pending or running needs its droplet (it may not be the app's current one any more).
  WHARF_ASSIGN_OR_RETURN(auto task_droplets, state::TaskStore(tx).DropletsInUse());

  for (const std::string& app_guid : app_guids) {
    WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(app_guid));
    auto app_droplets = droplets.AllForApp(app_guid);  // newest first
    if (!app_droplets.ok()) return app_droplets.status();
    // The droplets of the newest revisions stay deployable (rollback).
    WHARF_ASSIGN_OR_RETURN(auto revision_droplets,
                           state::RevisionStore(tx).RecentDroplets(app_guid, deployments::kProtectedRevisions));
    std::set<std::string> protected_droplets(revision_droplets.begin(), revision_droplets.end());
    protected_droplets.insert(task_droplets.begin(), task_droplets.end());
    std::set<std::string> kept_packages;
    int kept = 0;
    for (const state::Droplet& d : *app_droplets) {
      bool current = app.current_droplet_guid == d.guid || app.run_droplet_guid == d.guid ||
                     protected_droplets.count(d.guid) > 0;
      if (current || kept < keep_droplets || !prune) {
        if (!current) ++kept;
        roots.blobs.insert(d.sha256);
        if (d.package_guid) kept_packages.insert(*d.package_guid);
        continue;
      }
      WHARF_RETURN_IF_ERROR(droplets.Delete(d.guid));
      ++result.removed_droplets;
    }
    auto app_packages = packages.AllForApp(app_guid);  // newest first
    if (!app_packages.ok()) return app_packages.status();
    for (std::size_t i = 0; i < app_packages->size(); ++i) {
      const state::Package& p = (*app_packages)[i];
      if (i == 0 || kept_packages.count(p.guid) || staging.count(p.guid) || !prune) {
        roots.package_manifests.insert(p.sha256);
        continue;
      }
      WHARF_RETURN_IF_ERROR(packages.Delete(p.guid));  // its finished builds go with it
      ++result.removed_packages;
    }
  }
  WHARF_ASSIGN_OR_RETURN(auto caches, droplets.AllBuildpackCaches());
  for (const state::BuildpackCache& c : caches) roots.blobs.insert(c.sha256);
  WHARF_ASSIGN_OR_RETURN(auto buildpack_archives, state::BuildpackStore(tx).ArchiveBlobs());
  for (const std::string& sha256 : buildpack_archives) roots.blobs.insert(sha256);
  return roots;
}

}  // namespace

Result<GcResult> GcService::Run(const Actor& actor, std::optional<std::chrono::seconds> grace) {
  std::unique_lock exclusive(blob_lock_);
  GcResult result;
  store::GcRoots roots;
  // Reclaiming: on a full disk the prune may use the reserve (it is what frees the disk).
  Status pruned = db_.TransactReclaiming([&](state::Tx& tx) -> Status {
    result = GcResult{};
    WHARF_ASSIGN_OR_RETURN(auto r, PruneRows(tx, options_.keep_droplets, result));
    roots = std::move(r);
    return Status::Ok();
  });
  if (!pruned.ok()) {
    // A disk too full even for the prune (the reserve went to a delete): the blobs no row
    // names (those of deleted apps) can still go, which is what frees the disk.
    Status read = db_.Read([&](state::Tx& tx) -> Status {
      result = GcResult{};
      WHARF_ASSIGN_OR_RETURN(auto r, PruneRows(tx, options_.keep_droplets, result, false));
      roots = std::move(r);
      return Status::Ok();
    });
    if (!read.ok()) return pruned.WithContext("garbage collection");
    events_.Log("gc-prune-skipped", {{"error", pruned.ToString()}});
  }
  Result<store::GcReport> swept = store::CollectGarbage(blobs_, roots, grace.value_or(options_.grace));
  if (!swept.ok()) return swept.status().WithContext("garbage collection of blobs");
  result.removed_blobs = swept->removed_blobs;
  result.freed_bytes = swept->freed_bytes;
  events_.Log("gc-completed", {{"removed_droplets", std::to_string(result.removed_droplets)},
                               {"removed_packages", std::to_string(result.removed_packages)},
                               {"removed_blobs", std::to_string(result.removed_blobs)},
                               {"freed_bytes", std::to_string(result.freed_bytes)},
                               {"grace_seconds", std::to_string(grace.value_or(options_.grace).count())},
                               {"kept_blobs", std::to_string(swept->kept_blobs)},
                               {"actor", actor.name}});
  return result;
}

}  // namespace wharf::controller
