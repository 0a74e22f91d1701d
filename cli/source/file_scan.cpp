#include "cli/source/file_scan.h"

#include <sys/stat.h>

#include <algorithm>

#include "cli/source/cfignore.h"
#include "common/sha256.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;

bool Inside(const fs::path& root, const fs::path& p) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end();
}

class Scanner {
 public:
  Scanner(fs::path root, IgnoreRules rules) : root_(std::move(root)), rules_(std::move(rules)) {}

  Status Walk(const fs::path& dir, const std::string& prefix) {
    std::error_code ec;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) entries.push_back(*it);
    if (ec) return Status::InvalidArgument("reading folder " + dir.string() + ": " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const fs::directory_entry& a, const fs::directory_entry& b) { return a.path() < b.path(); });
    for (const fs::directory_entry& entry : entries) {
      std::string rel = prefix + entry.path().filename().string();
      fs::file_status st = entry.symlink_status(ec);
      if (ec) return Status::InvalidArgument("reading " + entry.path().string() + ": " + ec.message());
      if (fs::is_directory(st)) {
        if (rules_.IsIgnored(rel, true)) continue;
        WHARF_RETURN_IF_ERROR(Walk(entry.path(), rel + "/"));
      } else if (fs::is_regular_file(st)) {
        if (rules_.IsIgnored(rel, false)) continue;
        WHARF_RETURN_IF_ERROR(Add(rel, entry.path()));
      } else if (fs::is_symlink(st)) {
        if (rules_.IsIgnored(rel, false)) continue;
        WHARF_RETURN_IF_ERROR(AddSymlink(rel, entry.path()));
      } else {
        if (rules_.IsIgnored(rel, false)) continue;
        scan_.warnings.push_back("skipping '" + rel + "': not a regular file, folder or symlink");
      }
    }
    return Status::Ok();
  }

  FolderScan Take() { return std::move(scan_); }

 private:
  Status AddSymlink(const std::string& rel, const fs::path& link) {
    std::error_code ec;
    fs::path target = fs::canonical(link, ec);
    if (ec) {
      scan_.warnings.push_back("skipping symlink '" + rel + "': its target does not exist");
      return Status::Ok();
    }
    if (!Inside(root_, target)) {
      scan_.warnings.push_back("skipping symlink '" + rel + "': it points outside the app folder");
      return Status::Ok();
    }
    if (fs::is_directory(target, ec)) {
      scan_.warnings.push_back("skipping symlink '" + rel + "': links to folders are not followed");
      return Status::Ok();
    }
    if (!fs::is_regular_file(target, ec)) {
      scan_.warnings.push_back("skipping symlink '" + rel + "': its target is not a regular file");
      return Status::Ok();
    }
    return Add(rel, target);
  }

  Status Add(const std::string& rel, const fs::path& source) {
    struct stat st{};
    if (::stat(source.c_str(), &st) != 0) return Status::InvalidArgument("cannot stat " + source.string());
    Result<std::string> digest = Sha256OfFile(source);
    if (!digest.ok()) return digest.status().WithContext("reading " + source.string());
    ScannedFile f;
    f.path = rel;
    f.source = source;
    f.sha256 = *digest;
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mode = (st.st_mode & 0111) != 0 ? 0755 : 0644;
    scan_.total_bytes += f.size;
    scan_.files.push_back(std::move(f));
    return Status::Ok();
  }

  fs::path root_;
  IgnoreRules rules_;
  FolderScan scan_;
};

}  // namespace

Result<FolderScan> ScanAppFolder(const fs::path& root) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  if (ec) return Status::InvalidArgument("app folder " + root.string() + " does not exist");
  if (!fs::is_directory(canonical, ec)) return Status::InvalidArgument(root.string() + " is not a folder");
  WHARF_ASSIGN_OR_RETURN(auto rules, IgnoreRules::ForFolder(canonical));
  Scanner scanner(canonical, std::move(rules));
  WHARF_RETURN_IF_ERROR(scanner.Walk(canonical, ""));
  FolderScan scan = scanner.Take();
  std::sort(scan.files.begin(), scan.files.end(),
            [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
  return scan;
}

}  // namespace wharf::cli
