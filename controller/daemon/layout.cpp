#include "controller/daemon/layout.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace wharf::controller {
namespace {

Status MakeDir(const std::filesystem::path& p, mode_t mode) {
  if (::mkdir(p.c_str(), mode) == 0 || errno == EEXIST) {
    std::error_code ec;
    if (!std::filesystem::is_directory(p, ec)) return Status::Internal(p.string() + " exists and is not a folder");
    return Status::Ok();
  }
  return Status::Internal("cannot create folder " + p.string() + ": " + std::strerror(errno));
}

}  // namespace

Result<DataLayout> PrepareDataDir(const std::filesystem::path& root) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(root, ec);
  if (ec) return Status::Internal("cannot resolve data folder " + root.string() + ": " + ec.message());
  abs = abs.lexically_normal();
  if (abs.filename().empty() && abs.has_parent_path() && abs != abs.root_path()) abs = abs.parent_path();
  if (abs.has_parent_path() && !abs.filename().empty()) {
    std::filesystem::create_directories(abs.parent_path(), ec);
    if (ec) return Status::Internal("cannot create " + abs.parent_path().string() + ": " + ec.message());
  }
  DataLayout layout{abs};
  WHARF_RETURN_IF_ERROR(MakeDir(layout.root, 0700));
  // A folder that already existed keeps whatever mode it had: the database, its WAL
  // and the blobs below hold app secrets, so no other local user may enter it.
  if (::chmod(layout.root.c_str(), 0700) != 0) {
    return Status::Internal("cannot restrict data folder " + layout.root.string() + " to mode 0700: " +
                            std::strerror(errno));
  }
  WHARF_RETURN_IF_ERROR(MakeDir(layout.logs(), 0750));
  WHARF_RETURN_IF_ERROR(MakeDir(layout.app_logs(), 0750));
  return layout;
}

}  // namespace wharf::controller
