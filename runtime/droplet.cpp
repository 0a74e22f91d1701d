#include "runtime/droplet.h"

#include <unistd.h>

#include "common/archive/archive.h"
#include "common/facts/vcap.h"
#include "common/file_io.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

Status UnpackDroplet(const fs::path& tarball, const fs::path& dest) {
  std::error_code ec;
  if (fs::exists(dest, ec)) return Status::Conflict("droplet folder " + dest.string() + " exists already");
  fs::create_directories(dest.parent_path(), ec);
  WHARF_ASSIGN_OR_RETURN(auto tmp, MakeTempDirectory(dest.parent_path(), "." + dest.filename().string() + ".unpack-"));
  auto fail = [&](Status s) {
    fs::remove_all(tmp, ec);
    return s;
  };
  Status extracted = ExtractArchive(tarball, tmp);
  if (!extracted.ok()) return fail(extracted.WithContext("unpacking droplet " + tarball.string()));
  for (const char* d : {"app", "deps", "profile.d", "tmp", "logs"}) fs::create_directories(tmp / d, ec);
  fs::permissions(tmp, fs::perms(0755), ec);
  if (::geteuid() == 0) {
    if (::lchown(tmp.c_str(), kVcapUid, kVcapGid) != 0) return fail(Status::Internal("cannot chown " + tmp.string()));
    for (auto it = fs::recursive_directory_iterator(tmp, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (::lchown(it->path().c_str(), kVcapUid, kVcapGid) != 0) {
        return fail(Status::Internal("cannot chown " + it->path().string()));
      }
    }
  }
  fs::rename(tmp, dest, ec);
  if (ec) return fail(Status::Internal("cannot move droplet into " + dest.string() + ": " + ec.message()));
  return SyncDirectory(dest.parent_path());
}

}  // namespace wharf::runtime
