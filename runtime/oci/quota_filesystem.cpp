#include "runtime/oci/quota_filesystem.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <algorithm>

#include "runtime/command.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

Status MountQuotaFilesystem(const fs::path& image, const fs::path& mount_point, std::uint64_t bytes) {
  std::error_code ec;
  fs::create_directories(mount_point, ec);
  if (ec) return Status::Internal("cannot create " + mount_point.string() + ": " + ec.message());
  const std::uint64_t size = std::max<std::uint64_t>(bytes, 16ull << 20);
  WHARF_RETURN_IF_ERROR(RunChecked({"truncate", "-s", std::to_string(size), image.string()}));
  WHARF_RETURN_IF_ERROR(RunChecked({"mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal", "-E",
                                    "lazy_itable_init=1,lazy_journal_init=1", image.string()}));
  WHARF_RETURN_IF_ERROR(RunChecked({"mount", "-o", "loop,nosuid,nodev", image.string(), mount_point.string()}));
  fs::remove_all(mount_point / "lost+found", ec);
  return Status::Ok();
}

void UnmountQuotaFilesystem(const fs::path& mount_point, const fs::path& image) {
  ::umount2(mount_point.c_str(), MNT_DETACH);  // the loop device goes with the mount (autoclear)
  std::error_code ec;
  fs::remove(image, ec);
}

bool FileSystemFull(const fs::path& path, std::uint64_t slack) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return false;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize < slack;
}

}  // namespace wharf::runtime
