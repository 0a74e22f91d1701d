#include "droplet-store/garbage_collector.h"

#include "droplet-store/package_manifest.h"

namespace wharf::store {

Result<GcReport> CollectGarbage(BlobStore& blobs, const GcRoots& roots, std::chrono::seconds grace) {
  // Liveness first, in full: if any live manifest can't be read, nothing is
  // removed, since the files it lists are unknown.
  std::set<std::string> live = roots.blobs;
  for (const std::string& manifest : roots.package_manifests) {
    live.insert(manifest);
    auto files = LoadPackageManifest(blobs, manifest);
    if (!files.ok()) return files.status().WithContext("garbage collection stopped: live package manifest " + manifest);
    for (const PackageFile& f : *files) live.insert(f.sha256);
  }

  WHARF_ASSIGN_OR_RETURN(auto entries, blobs.List());
  const auto now = blobs.clock().Now();
  GcReport report;
  for (const BlobEntry& e : entries) {
    bool young = now - e.modified < grace;
    if (live.count(e.sha256) != 0 || young) {
      ++report.kept_blobs;
      continue;
    }
    Status s = blobs.Remove(e.sha256);
    if (s.code() == StatusCode::kNotFound) continue;  // removed meanwhile by someone else
    if (!s.ok()) return s;
    ++report.removed_blobs;
    report.freed_bytes += e.size;
  }
  return report;
}

}  // namespace wharf::store
