#include "stager/source/tree_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "common/archive/archive.h"
#include "common/facts/vcap.h"

namespace wharf::stager {
namespace fs = std::filesystem;
namespace {

struct WriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

std::string Err(struct archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown libarchive error";
}

struct SinkState {
  const ArchiveSink* sink;
  Status status;
  std::uint64_t bytes = 0;
};

la_ssize_t SinkWrite(struct archive*, void* client, const void* buf, size_t len) {
  auto* s = static_cast<SinkState*>(client);
  if (!s->status.ok()) return -1;
  s->status = (*s->sink)(buf, len);
  if (!s->status.ok()) return -1;
  s->bytes += len;
  return static_cast<la_ssize_t>(len);
}

class Writer {
 public:
  Writer(struct archive* a, const TreeArchiveOptions& o, TreeArchiveStats& st) : a_(a), opts_(o), stats_(st) {}

  Status AddTree(const fs::path& dir, const std::string& prefix) {
    if (!prefix.empty()) {
      struct stat st {};
      bool exists = ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      if (!exists) st.st_mode = S_IFDIR | 0755, st.st_mtime = 0;
      WHARF_RETURN_IF_ERROR(Header(prefix, st, ""));
      if (!exists) return Status::Ok();
    }
    return Walk(dir, prefix);
  }

  Status AddBytes(const ExtraFile& f) {
    struct stat st {};
    st.st_mode = S_IFREG | (f.mode & 07777);
    st.st_size = static_cast<off_t>(f.content.size());
    st.st_mtime = 0;
    WHARF_RETURN_IF_ERROR(Header(f.path, st, ""));
    if (!f.content.empty() && archive_write_data(a_, f.content.data(), f.content.size()) < 0) {
      return Status::Internal("archiving " + f.path + ": " + Err(a_));
    }
    stats_.files++;
    return Count(f.content.size(), f.path);
  }

 private:
  Status Walk(const fs::path& dir, const std::string& prefix) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
    if (ec) return Status::Internal("listing " + dir.string() + ": " + ec.message());
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      const fs::path p = dir / name;
      const std::string ap = prefix.empty() ? name : prefix + "/" + name;
      struct stat st {};
      if (::lstat(p.c_str(), &st) != 0) return Status::Internal("reading " + p.string() + ": " + std::strerror(errno));
      if (S_ISDIR(st.st_mode)) {
        WHARF_RETURN_IF_ERROR(Header(ap, st, ""));
        stats_.directories++;
        WHARF_RETURN_IF_ERROR(Walk(p, ap));
      } else if (S_ISLNK(st.st_mode)) {
        std::error_code lec;
        fs::path target = fs::read_symlink(p, lec);
        if (lec) return Status::Internal("reading link " + p.string() + ": " + lec.message());
        WHARF_RETURN_IF_ERROR(Header(ap, st, target.string()));
        stats_.symlinks++;
        if (Escapes(ap, target.string())) {
          if (stats_.escaping_symlinks++ == 0) stats_.first_escaping_symlink = ap + " -> " + target.string();
        }
      } else if (S_ISREG(st.st_mode)) {
        WHARF_RETURN_IF_ERROR(Count(static_cast<std::uint64_t>(st.st_size), ap));
        WHARF_RETURN_IF_ERROR(Header(ap, st, ""));
        WHARF_RETURN_IF_ERROR(Content(p, ap));
        stats_.files++;
      } else {
        stats_.skipped++;
      }
    }
    return Status::Ok();
  }

  // Whether a link at archive path `ap` points outside the archive's tree.
  static bool Escapes(const std::string& ap, const std::string& target) {
    if (target.empty() || target.front() == '/') return true;
    long depth = static_cast<long>(std::count(ap.begin(), ap.end(), '/'));  // folders above the link
    std::size_t pos = 0;
    while (pos <= target.size()) {
      std::size_t slash = target.find('/', pos);
      if (slash == std::string::npos) slash = target.size();
      const std::string part = target.substr(pos, slash - pos);
      pos = slash + 1;
      if (part.empty() || part == ".") continue;
      depth += part == ".." ? -1 : 1;
      if (depth < 0) return true;
    }
    return false;
  }

  Status Count(std::uint64_t size, const std::string& ap) {
    stats_.content_bytes += size;
    if (stats_.content_bytes > opts_.max_content_bytes) {
      return Status::TooLarge("the files reach more than the " + std::to_string(opts_.max_content_bytes >> 20) +
                              " MiB disk limit (at " + ap + ")");
    }
    return Status::Ok();
  }

  Status Header(const std::string& path, const struct stat& st, const std::string& link) {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_mode(e.get(), st.st_mode);
    archive_entry_set_uid(e.get(), kVcapUid);
    archive_entry_set_gid(e.get(), kVcapGid);
    archive_entry_set_uname(e.get(), "vcap");
    archive_entry_set_gname(e.get(), "vcap");
    archive_entry_set_mtime(e.get(), st.st_mtime, 0);
    if (S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), st.st_size);
    if (S_ISLNK(st.st_mode)) archive_entry_set_symlink(e.get(), link.c_str());
    if (archive_write_header(a_, e.get()) != ARCHIVE_OK) return Status::Internal("archiving " + path + ": " + Err(a_));
    return Status::Ok();
  }

  Status Content(const fs::path& p, const std::string& ap) {
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::Internal("opening " + p.string() + ": " + std::strerror(errno));
    char buf[1 << 16];
    Status s;
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        s = Status::Internal("reading " + p.string() + ": " + std::strerror(errno));
        break;
      }
      if (n == 0) break;
      if (archive_write_data(a_, buf, static_cast<size_t>(n)) < 0) {
        s = Status::Internal("archiving " + ap + ": " + Err(a_));
        break;
      }
    }
    ::close(fd);
    return s;
  }

  struct archive* a_;
  const TreeArchiveOptions& opts_;
  TreeArchiveStats& stats_;
};

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
  }
  return "none";
}

Result<Compression> ParseCompression(std::string_view name) {
  if (name == "none") return Compression::kNone;
  if (name == "gzip") return Compression::kGzip;
  if (name == "zstd") return Compression::kZstd;
  return Status::InvalidArgument("compression '" + std::string(name) + "' is not one of none, gzip, zstd");
}

Result<TreeArchiveStats> WriteTreeArchive(const std::vector<TreeRoot>& roots, const std::vector<ExtraFile>& extra,
                                          const TreeArchiveOptions& options, const ArchiveSink& sink) {
  std::unique_ptr<struct archive, WriteDeleter> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  const char* filter = nullptr;
  if (options.compression == Compression::kGzip) {
    archive_write_add_filter_gzip(a.get());
    filter = "gzip";
  } else if (options.compression == Compression::kZstd) {
    if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK) {
      return Status::Internal("libarchive cannot write zstd: " + Err(a.get()));
    }
    filter = "zstd";
  }
  if (filter && options.level > 0) {
    const std::string level = std::to_string(options.level);
    if (archive_write_set_filter_option(a.get(), filter, "compression-level", level.c_str()) != ARCHIVE_OK) {
      return Status::InvalidArgument("compression level " + level + " for " + filter + ": " + Err(a.get()));
    }
  }
  archive_write_set_bytes_in_last_block(a.get(), 1);
  SinkState state{&sink, Status::Ok(), 0};
  if (archive_write_open2(a.get(), &state, nullptr, SinkWrite, nullptr, nullptr) != ARCHIVE_OK) {
    return state.status.ok() ? Status::Internal("opening archive: " + Err(a.get())) : state.status;
  }
  TreeArchiveStats stats;
  Writer w(a.get(), options, stats);
  Status s;
  for (const auto& r : roots) {
    s = w.AddTree(r.dir, r.prefix);
    if (!s.ok()) break;
  }
  for (std::size_t i = 0; s.ok() && i < extra.size(); ++i) s = w.AddBytes(extra[i]);
  if (!state.status.ok()) return state.status;
  if (!s.ok()) return s;
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return state.status.ok() ? Status::Internal("closing archive: " + Err(a.get())) : state.status;
  }
  stats.archive_bytes = state.bytes;
  return stats;
}

Status UnpackTreeArchive(const fs::path& archive, const fs::path& dest) {
  std::unique_ptr<struct archive, ReadDeleter> in(archive_read_new());
  archive_read_support_filter_gzip(in.get());
  archive_read_support_filter_zstd(in.get());
  archive_read_support_format_tar(in.get());
  if (archive_read_open_filename(in.get(), archive.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::Internal("opening " + archive.string() + ": " + Err(in.get()));
  }
  std::unique_ptr<struct archive, WriteDeleter> out(archive_write_disk_new());
  // Entry names are checked (relative, no "..") before `dest` is put in front of
  // them, so only links on the way need libarchive's guard.
  archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT);
  archive_entry* e = nullptr;
  for (;;) {
    int r = archive_read_next_header(in.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) return Status::Internal("reading " + archive.string() + ": " + Err(in.get()));
    const std::string name = archive_entry_pathname(e);
    auto rel = NormaliseRelativePath(name);
    if (!rel.ok()) return rel.status().WithContext("unpacking " + archive.string());
    if (archive_entry_hardlink(e) != nullptr) {
      return Status::InvalidArgument("unpacking " + archive.string() + ": entry '" + name + "' is a hard link");
    }
    const std::string full = (dest / *rel).string();
    archive_entry_set_pathname(e, full.c_str());
    if (archive_write_header(out.get(), e) != ARCHIVE_OK) {
      return Status::Internal("unpacking '" + name + "' from " + archive.string() + ": " + Err(out.get()));
    }
    const void* buf;
    size_t size;
    la_int64_t offset;
    for (;;) {
      r = archive_read_data_block(in.get(), &buf, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK) return Status::Internal("reading '" + name + "' from " + archive.string() + ": " + Err(in.get()));
      if (archive_write_data_block(out.get(), buf, size, offset) != ARCHIVE_OK) {
        return Status::Internal("writing " + full + ": " + Err(out.get()));
      }
    }
    if (archive_write_finish_entry(out.get()) != ARCHIVE_OK) {
      return Status::Internal("finishing " + full + ": " + Err(out.get()));
    }
  }
  return Status::Ok();
}

}  // namespace wharf::stager
