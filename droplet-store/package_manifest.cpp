#include "droplet-store/package_manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "common/archive/archive.h"
#include "common/sha256.h"

namespace wharf::store {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kManifestVersion = 1;
constexpr std::size_t kCopyBufferBytes = 256 * 1024;
constexpr std::size_t kMaxMissingListed = 20;

std::string FilePrefix(std::string_view path) { return "file '" + std::string(path) + "': "; }

std::string OctalMode(std::uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0%o", mode);
  return buf;
}

PackageLimits Unlimited() {
  return PackageLimits{std::numeric_limits<std::uint64_t>::max(), std::numeric_limits<std::uint64_t>::max()};
}

bool IsValidUtf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

void RemoveContents(const fs::path& dir) {
  std::error_code ec;
  for (const auto& child : fs::directory_iterator(dir, ec)) fs::remove_all(child.path(), ec);
}

Status CopyBlob(const fs::path& from, const fs::path& to, const PackageFile& file) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::NotFound(FilePrefix(file.path) + "content " + file.sha256 + " is not in the store");
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    Status s = Status::Internal(FilePrefix(file.path) + "cannot create " + to.string() + ": " + std::strerror(errno));
    ::close(in);
    return s;
  }
  auto fail = [&](std::string why) {
    ::close(in);
    ::close(out);
    return Status::Internal(FilePrefix(file.path) + why);
  };
  std::vector<char> buf(kCopyBufferBytes);
  std::uint64_t copied = 0;
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot read " + from.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return fail("cannot write " + to.string() + ": " + std::strerror(errno));
      done += w;
    }
    copied += static_cast<std::uint64_t>(n);
  }
  if (copied != file.size) {
    return fail("stored content has " + std::to_string(copied) + " bytes, the package says " + std::to_string(file.size));
  }
  // fchmod, unlike the mode given to open(), is not reduced by the umask.
  if (::fchmod(out, file.mode) != 0) return fail("cannot chmod " + to.string() + ": " + std::strerror(errno));
  ::close(in);
  if (::close(out) != 0) return Status::Internal(FilePrefix(file.path) + "cannot close " + to.string());
  return Status::Ok();
}

constexpr std::size_t kMaxPathBytes = 4095;  // PATH_MAX less the NUL
constexpr std::size_t kMaxNameBytes = 255;   // NAME_MAX

// `text` with control characters as \xNN, for an error message.
std::string Printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<PackageFile>> ValidatePackageFiles(std::vector<PackageFile> files, const PackageLimits& limits) {
  if (files.size() > limits.max_files) {
    return Status::TooLarge("package has " + std::to_string(files.size()) + " files, over the cap of " +
                            std::to_string(limits.max_files));
  }
  std::uint64_t total = 0;
  for (PackageFile& f : files) {
    auto path = NormaliseRelativePath(f.path);
    if (!path.ok()) return Status::InvalidArgument(FilePrefix(f.path) + path.status().message());
    if (!IsValidUtf8(*path)) return Status::InvalidArgument(FilePrefix(f.path) + "path is not valid UTF-8");
    // What no file system or terminal should get: control characters, names and paths past Linux's
    // limits (they were accepted and failed at staging, issue 10).
    for (unsigned char c : *path) {
      if (c < 0x20 || c == 0x7f) {
        return Status::InvalidArgument("file '" + Printable(f.path) + "': path has a control character");
      }
    }
    if (path->size() > kMaxPathBytes) {
      return Status::InvalidArgument("file '" + Printable(f.path.substr(0, 64)) + "...': path is longer than " +
                                     std::to_string(kMaxPathBytes) + " bytes");
    }
    for (std::size_t start = 0; start < path->size();) {
      std::size_t slash = path->find('/', start);
      if (slash == std::string::npos) slash = path->size();
      if (slash - start > kMaxNameBytes) {
        return Status::InvalidArgument("file '" + Printable(f.path.substr(0, 64)) + "...': a name in the path is longer than " +
                                       std::to_string(kMaxNameBytes) + " bytes");
      }
      start = slash + 1;
    }
    f.path = std::move(path).value();
    if (!IsSha256Hex(f.sha256)) {
      return Status::InvalidArgument(FilePrefix(f.path) + "sha256 '" + f.sha256 +
                                     "' is not 64 lowercase hex digits");
    }
    if (f.mode > 0777) {
      return Status::InvalidArgument(FilePrefix(f.path) + "mode " + OctalMode(f.mode) + " is outside 0..0777");
    }
    if (f.size > limits.max_total_bytes - total) {
      return Status::TooLarge(FilePrefix(f.path) + "takes the package over the cap of " +
                              std::to_string(limits.max_total_bytes) + " bytes");
    }
    total += f.size;
  }
  std::sort(files.begin(), files.end(), [](const PackageFile& a, const PackageFile& b) { return a.path < b.path; });
  std::set<std::string_view> paths;
  for (const PackageFile& f : files) {
    if (!paths.insert(f.path).second) return Status::InvalidArgument(FilePrefix(f.path) + "is listed twice");
  }
  for (const PackageFile& f : files) {
    for (std::size_t slash = f.path.find('/'); slash != std::string::npos; slash = f.path.find('/', slash + 1)) {
      std::string_view folder = std::string_view(f.path).substr(0, slash);
      if (paths.count(folder) != 0) {
        return Status::InvalidArgument(FilePrefix(f.path) + "is inside '" + std::string(folder) +
                                       "', which is also listed as a file");
      }
    }
  }
  return files;
}

Result<BlobInfo> StorePackageManifest(BlobStore& blobs, const std::vector<PackageFile>& files_in) {
  // Re-validated (without limits: those are the caller's policy) so the stored
  // form is canonical whatever the caller did.
  WHARF_ASSIGN_OR_RETURN(auto files, ValidatePackageFiles(files_in, Unlimited()));
  std::vector<std::string> missing;
  std::set<std::string> seen_missing;
  json list = json::array();
  for (const PackageFile& f : files) {
    auto size = blobs.Size(f.sha256);
    if (!size.ok()) {
      if (size.status().code() != StatusCode::kNotFound) return size.status();
      if (seen_missing.insert(f.sha256).second) missing.push_back(f.sha256);
    } else if (*size != f.size) {
      return Status::InvalidArgument(FilePrefix(f.path) + "size " + std::to_string(f.size) +
                                     " does not match the uploaded content's " + std::to_string(*size) + " bytes");
    }
    list.push_back(json{{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}, {"mode", f.mode}});
  }
  if (!missing.empty()) {
    std::string msg = std::to_string(missing.size()) + " file content(s) not uploaded:";
    for (std::size_t i = 0; i < missing.size() && i < kMaxMissingListed; ++i) msg += " " + missing[i];
    if (missing.size() > kMaxMissingListed) msg += " (and " + std::to_string(missing.size() - kMaxMissingListed) + " more)";
    return Status::Unprocessable(msg);
  }
  // nlohmann::json keeps object keys sorted, so dump() is canonical.
  json manifest{{"version", kManifestVersion}, {"files", std::move(list)}};
  return blobs.PutBytes(manifest.dump());
}

Result<std::vector<PackageFile>> LoadPackageManifest(const BlobStore& blobs, std::string_view manifest_sha256) {
  WHARF_ASSIGN_OR_RETURN(auto text, blobs.ReadAll(manifest_sha256));
  auto corrupt = [&](std::string why) {
    return Status::Internal("package manifest " + std::string(manifest_sha256) + " is corrupt: " + why);
  };
  std::vector<PackageFile> files;
  try {
    json manifest = json::parse(text);
    if (manifest.at("version").get<int>() != kManifestVersion) return corrupt("unknown version");
    for (const json& f : manifest.at("files")) {
      files.push_back(PackageFile{f.at("path").get<std::string>(), f.at("sha256").get<std::string>(),
                                  f.at("size").get<std::uint64_t>(), f.at("mode").get<std::uint32_t>()});
    }
  } catch (const json::exception& e) {
    return corrupt(e.what());
  }
  auto valid = ValidatePackageFiles(std::move(files), Unlimited());
  if (!valid.ok()) return corrupt(valid.status().message());
  return valid;
}

Status WritePackageTar(const BlobStore& blobs, const std::vector<PackageFile>& files,
                       const std::function<Status(const void*, std::size_t)>& sink) {
  WHARF_ASSIGN_OR_RETURN(auto writer, TarWriter::ToCallback(sink));
  std::set<std::string> folders;
  for (const PackageFile& f : files) {
    for (std::size_t slash = f.path.find('/'); slash != std::string::npos; slash = f.path.find('/', slash + 1)) {
      std::string folder = f.path.substr(0, slash);
      if (folders.insert(folder).second) WHARF_RETURN_IF_ERROR(writer->AddDirectory(folder, 0755));
    }
    if (!blobs.Has(f.sha256)) {
      return Status::NotFound(FilePrefix(f.path) + "content " + f.sha256 + " is not in the store");
    }
    WHARF_RETURN_IF_ERROR(writer->AddFile(f.path, blobs.PathOf(f.sha256), f.mode));
  }
  return writer->Close();
}

Status MaterializePackage(const BlobStore& blobs, const std::vector<PackageFile>& files, const fs::path& dest) {
  std::error_code ec;
  if (!fs::is_directory(dest, ec)) return Status::InvalidArgument(dest.string() + " is not a folder");
  if (!fs::is_empty(dest, ec) || ec) return Status::InvalidArgument(dest.string() + " is not empty");
  auto copy_all = [&]() -> Status {
    for (const PackageFile& f : files) {
      auto path = NormaliseRelativePath(f.path);
      if (!path.ok() || *path != f.path) return Status::InvalidArgument(FilePrefix(f.path) + "path is not normalised");
      if (!IsSha256Hex(f.sha256)) return Status::InvalidArgument(FilePrefix(f.path) + "invalid sha256");
      fs::path target = dest / f.path;
      fs::create_directories(target.parent_path(), ec);
      if (ec) return Status::Internal(FilePrefix(f.path) + "cannot create its folder: " + ec.message());
      WHARF_RETURN_IF_ERROR(CopyBlob(blobs.PathOf(f.sha256), target, f));
    }
    return Status::Ok();
  };
  Status s = copy_all();
  if (!s.ok()) RemoveContents(dest);
  return s;
}

}  // namespace wharf::store
