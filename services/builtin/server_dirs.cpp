#include "services/builtin/server_dirs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/file_io.h"
#include "common/sha256.h"
#include "services/builtin/process_runner.h"

namespace wharf::services::builtin {

namespace fs = std::filesystem;

Status MakeOwnedDir(const fs::path& dir, uid_t uid, gid_t gid, mode_t mode) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  WHARF_RETURN_IF_ERROR(ChangeOwner(dir.string(), uid, gid));
  if (::chmod(dir.c_str(), mode) != 0) return Status::Internal("cannot chmod " + dir.string() + ": " + std::strerror(errno));
  return Status::Ok();
}

fs::path SocketDirFor(const fs::path& dir) {
  return fs::path("/run/wharf") / ("sock-" + Sha256Hex(fs::absolute(dir).lexically_normal().string()).substr(0, 12));
}

Status WriteOwnedFile(const fs::path& path, const std::string& content, uid_t uid, gid_t gid, mode_t mode) {
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(path, content, mode));
  WHARF_RETURN_IF_ERROR(ChangeOwner(path.string(), uid, gid));
  if (::chmod(path.c_str(), mode) != 0) return Status::Internal("cannot chmod " + path.string() + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace wharf::services::builtin
