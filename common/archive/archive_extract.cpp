// ExtractArchive: safe extraction of an untrusted archive into an empty folder.
//
// Two layers of defence:
//   1. Our own checks, made on a model of the tree this extraction has built
//      (the destination starts empty, so the model is the whole truth): paths
//      are normalised and refused when absolute or with "..", nothing is ever
//      written through a symlink or into a file, symlink targets are resolved
//      through the model (following earlier links) and must stay inside,
//      hard links may only point at files extracted before, and only files,
//      folders and symlinks are accepted. Every link is checked again at the
//      end, so a chain whose meaning changes with a later entry is caught.
//   2. libarchive's own guards: ARCHIVE_EXTRACT_SECURE_SYMLINKS and
//      SECURE_NODOTDOT, and NO_OVERWRITE. ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS
//      can't be set: archive_write_disk resolves relative paths against the
//      process's working folder, which a multi-threaded daemon can't change, so
//      entries are handed over as absolute paths under the canonical
//      destination. The entry's own path was refused in layer 1 if absolute.
// Modes keep the permission bits only (setuid, setgid, sticky dropped); folders
// get u+rwx and files u+r so their owner, the extracting user, can use and
// remove them. Owners are not restored.
#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <system_error>
#include <vector>

#include "common/archive/archive.h"
#include "common/archive/archive_internal.h"

namespace wharf {
namespace {

namespace fs = std::filesystem;
using archive_internal::EntryPrefix;
using archive_internal::LastError;

struct WriterFree {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

enum class NodeKind { kDirectory, kFile, kSymlink };
struct Node {
  NodeKind kind;
  std::string target;  // symlinks only
};

std::vector<std::string> SplitPath(std::string_view p) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= p.size()) {
    std::size_t slash = p.find('/', pos);
    if (slash == std::string_view::npos) slash = p.size();
    if (slash > pos) out.emplace_back(p.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

std::string JoinPath(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

// What this extraction has put under the destination, by normalised path.
class TreeModel {
 public:
  // Refuses a path with a file or symlink among its parents; records the
  // parents libarchive will create as folders.
  Status AddParents(std::string_view name, const std::string& path) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      std::string parent = path.substr(0, slash);
      auto it = nodes_.find(parent);
      if (it == nodes_.end()) {
        nodes_.emplace(parent, Node{NodeKind::kDirectory, {}});
      } else if (it->second.kind == NodeKind::kSymlink) {
        return Status::InvalidArgument(EntryPrefix(name) + "would be written through the symlink '" + parent + "'");
      } else if (it->second.kind == NodeKind::kFile) {
        return Status::InvalidArgument(EntryPrefix(name) + "would be written inside the file '" + parent + "'");
      }
    }
    return Status::Ok();
  }

  // Records `path`; a path may appear twice only when both entries are folders.
  Status Add(std::string_view name, const std::string& path, Node node) {
    auto [it, inserted] = nodes_.emplace(path, node);
    if (!inserted && !(it->second.kind == NodeKind::kDirectory && node.kind == NodeKind::kDirectory)) {
      return Status::InvalidArgument(EntryPrefix(name) + "appears twice in the archive");
    }
    return Status::Ok();
  }

  const Node* Find(const std::string& path) const {
    auto it = nodes_.find(path);
    return it == nodes_.end() ? nullptr : &it->second;
  }

  // True when the symlink at `path` with `target` resolves inside the tree,
  // following the symlinks the model knows as the kernel would.
  bool SymlinkStaysInside(const std::string& path, std::string_view target) const {
    if (target.empty() || target.front() == '/') return false;
    std::vector<std::string> stack = SplitPath(path);
    stack.pop_back();  // the link's own folder
    int hops = 0;
    return Resolve(stack, target, hops);
  }

  // The name of a symlink that (now) resolves outside, if any.
  std::optional<std::string> FindEscapingSymlink() const {
    for (const auto& [path, node] : nodes_) {
      if (node.kind == NodeKind::kSymlink && !SymlinkStaysInside(path, node.target)) return path;
    }
    return std::nullopt;
  }

 private:
  bool Resolve(std::vector<std::string>& stack, std::string_view target, int& hops) const {
    for (const std::string& part : SplitPath(target)) {
      if (part == ".") continue;
      if (part == "..") {
        if (stack.empty()) return false;
        stack.pop_back();
        continue;
      }
      stack.push_back(part);
      auto it = nodes_.find(JoinPath(stack));
      if (it != nodes_.end() && it->second.kind == NodeKind::kSymlink) {
        if (++hops > 40) return false;  // a loop, or a chain too long to trust
        const std::string& next = it->second.target;
        if (next.empty() || next.front() == '/') return false;
        stack.pop_back();
        if (!Resolve(stack, next, hops)) return false;
      }
    }
    return true;
  }

  std::map<std::string, Node> nodes_;
};

// Removes everything inside `dir` (not `dir` itself), making folders writable
// first so read-only folders from the archive don't block the removal.
void RemoveContents(const fs::path& dir) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
  }
  for (const auto& child : fs::directory_iterator(dir, ec)) {
    fs::permissions(child.path(), fs::perms::owner_all, fs::perm_options::add | fs::perm_options::nofollow, ec);
    fs::remove_all(child.path(), ec);
  }
}

class Extraction {
 public:
  Extraction(fs::path dest, const ArchiveLimits& limits) : dest_(std::move(dest)), limits_(limits) {}

  Status Run(const fs::path& archive_path) {
    archive_internal::ReaderPtr reader = archive_internal::NewReader();
    reader_ = reader.get();
    if (archive_read_open_filename(reader_, archive_path.c_str(), archive_internal::kBufferBytes) != ARCHIVE_OK) {
      return Status::InvalidArgument("cannot read archive " + archive_path.string() + ": " + LastError(reader_));
    }
    std::unique_ptr<struct archive, WriterFree> writer(archive_write_disk_new());
    writer_ = writer.get();
    archive_write_disk_set_options(writer_, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_NO_OVERWRITE |
                                                ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    archive_internal::OutputBudget budget(limits_, reader_);
    budget_ = &budget;
    for (;;) {
      struct archive_entry* entry = nullptr;
      int rc = archive_read_next_header(reader_, &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) {
        return Status::InvalidArgument("archive " + archive_path.string() + " is malformed: " + LastError(reader_));
      }
      WHARF_RETURN_IF_ERROR(ExtractEntry(entry));
    }
    if (auto bad = model_.FindEscapingSymlink()) {
      return Status::InvalidArgument(EntryPrefix(*bad) + "symlink resolves outside the destination");
    }
    if (archive_write_close(writer_) < ARCHIVE_WARN) {
      return Status::Internal("cannot finish extracting into " + dest_.string() + ": " + LastError(writer_));
    }
    return Status::Ok();
  }

 private:
  Status ExtractEntry(struct archive_entry* entry) {
    const char* raw_c = archive_entry_pathname(entry);
    const std::string name = raw_c != nullptr ? raw_c : "";
    WHARF_RETURN_IF_ERROR(budget_->StartEntry(name));
    const auto type = archive_entry_filetype(entry);
    const char* hardlink = archive_entry_hardlink(entry);

    // The destination folder itself ("./"): nothing to do.
    if (type == AE_IFDIR && !name.empty() && name.front() != '/' &&
        name.find_first_not_of("./") == std::string::npos && name.find("..") == std::string::npos) {
      return Status::Ok();
    }
    auto path = NormaliseRelativePath(name);
    if (!path.ok()) return Status::InvalidArgument(EntryPrefix(name) + path.status().message());

    Node node{NodeKind::kFile, {}};
    if (hardlink != nullptr) {
      auto target = NormaliseRelativePath(hardlink);
      if (!target.ok()) return Status::InvalidArgument(EntryPrefix(name) + "hard link target " + target.status().message());
      const Node* existing = model_.Find(*target);
      if (existing == nullptr || existing->kind != NodeKind::kFile) {
        return Status::InvalidArgument(EntryPrefix(name) + "hard link target '" + *target +
                                       "' is not a file extracted before it");
      }
      archive_entry_set_hardlink(entry, (dest_ / *target).c_str());
    } else if (type == AE_IFDIR) {
      node.kind = NodeKind::kDirectory;
    } else if (type == AE_IFLNK) {
      const char* target_c = archive_entry_symlink(entry);
      node = Node{NodeKind::kSymlink, target_c != nullptr ? target_c : ""};
      if (node.target.empty()) return Status::InvalidArgument(EntryPrefix(name) + "symlink has no target");
      if (node.target.front() == '/') {
        return Status::InvalidArgument(EntryPrefix(name) + "symlink target '" + node.target + "' is absolute");
      }
    } else if (type != AE_IFREG) {
      return Status::InvalidArgument(EntryPrefix(name) + "is a " + TypeName(type) + "; only files, folders and links are allowed");
    }

    WHARF_RETURN_IF_ERROR(model_.AddParents(name, *path));
    if (node.kind == NodeKind::kSymlink && !model_.SymlinkStaysInside(*path, node.target)) {
      return Status::InvalidArgument(EntryPrefix(name) + "symlink target '" + node.target +
                                     "' resolves outside the destination");
    }
    WHARF_RETURN_IF_ERROR(model_.Add(name, *path, node));
    if (node.kind == NodeKind::kFile && archive_entry_size_is_set(entry)) {
      WHARF_RETURN_IF_ERROR(budget_->CheckDeclaredSize(name, static_cast<std::uint64_t>(archive_entry_size(entry))));
    }

    archive_entry_set_pathname(entry, (dest_ / *path).c_str());
    mode_t perm = archive_entry_perm(entry) & 0777;
    if (node.kind == NodeKind::kDirectory) perm |= 0700;
    if (node.kind == NodeKind::kFile) perm |= 0400;
    archive_entry_set_perm(entry, perm);
    if (archive_write_header(writer_, entry) < ARCHIVE_WARN) {
      return Status::InvalidArgument(EntryPrefix(name) + "cannot be extracted: " + LastError(writer_));
    }
    if (node.kind == NodeKind::kFile) WHARF_RETURN_IF_ERROR(CopyData(name));
    if (archive_write_finish_entry(writer_) < ARCHIVE_WARN) {
      return Status::Internal(EntryPrefix(name) + "cannot be finished: " + LastError(writer_));
    }
    return Status::Ok();
  }

  Status CopyData(const std::string& name) {
    for (;;) {
      const void* buf = nullptr;
      std::size_t size = 0;
      la_int64_t offset = 0;
      int rc = archive_read_data_block(reader_, &buf, &size, &offset);
      if (rc == ARCHIVE_EOF) return Status::Ok();
      if (rc < ARCHIVE_WARN) return Status::InvalidArgument(EntryPrefix(name) + "cannot read content: " + LastError(reader_));
      WHARF_RETURN_IF_ERROR(budget_->Grow(name, static_cast<std::uint64_t>(offset) + size));
      if (archive_write_data_block(writer_, buf, size, offset) != ARCHIVE_OK) {
        return Status::Internal(EntryPrefix(name) + "cannot write content: " + LastError(writer_));
      }
    }
  }

  static std::string TypeName(unsigned type) {
    switch (type) {
      case AE_IFCHR: return "character device";
      case AE_IFBLK: return "block device";
      case AE_IFIFO: return "fifo";
      case AE_IFSOCK: return "socket";
      default: return "entry of unknown type";
    }
  }

  fs::path dest_;
  const ArchiveLimits& limits_;
  struct archive* reader_ = nullptr;
  struct archive* writer_ = nullptr;
  archive_internal::OutputBudget* budget_ = nullptr;
  TreeModel model_;
};

}  // namespace

Status ExtractArchive(const fs::path& archive, const fs::path& dest, const ArchiveLimits& limits) {
  std::error_code ec;
  if (!fs::is_regular_file(archive, ec)) return Status::NotFound("archive " + archive.string() + " not found");
  if (!fs::is_directory(dest, ec)) return Status::InvalidArgument("destination " + dest.string() + " is not a folder");
  if (!fs::is_empty(dest, ec) || ec) {
    return Status::InvalidArgument("destination " + dest.string() + " is not empty");
  }
  fs::path canonical = fs::canonical(dest, ec);
  if (ec) return Status::Internal("cannot resolve " + dest.string() + ": " + ec.message());
  Status s = Extraction(canonical, limits).Run(archive);
  if (!s.ok()) RemoveContents(canonical);
  return s;
}

}  // namespace wharf
