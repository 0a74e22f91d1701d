// TarWriter: pax (ustar with extensions for long names) archives, optionally
// gzip-compressed, written to a file or streamed to a callback.
#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "common/archive/archive.h"
#include "common/archive/archive_internal.h"

namespace wharf {

using archive_internal::LastError;

struct TarWriter::Impl {
  struct archive* a = nullptr;
  std::function<Status(const void*, std::size_t)> sink;
  Status sink_status;   // the first failure of the sink
  Status failed;        // once an entry failed, the archive is unusable
  bool closed = false;
  bool abandoned = false;  // destroyed without Close: the sink is not called again

  static Result<std::unique_ptr<Impl>> Create(TarWriter::Compression c) {
    auto impl = std::make_unique<Impl>();
    impl->a = archive_write_new();
    if (archive_write_set_format_pax_restricted(impl->a) != ARCHIVE_OK) {
      return Status::Internal("cannot set tar format: " + LastError(impl->a));
    }
    if (c == TarWriter::Compression::kGzip && archive_write_add_filter_gzip(impl->a) != ARCHIVE_OK) {
      return Status::Internal("cannot enable gzip: " + LastError(impl->a));
    }
    return impl;
  }

  ~Impl() {
    if (a != nullptr) {
      abandoned = true;
      archive_write_free(a);
    }
  }

  static la_ssize_t WriteToSink(struct archive* a, void* client, const void* buf, size_t n) {
    auto* impl = static_cast<Impl*>(client);
    if (impl->abandoned) return static_cast<la_ssize_t>(n);
    Status s = impl->sink(buf, n);
    if (!s.ok()) {
      if (impl->sink_status.ok()) impl->sink_status = s;
      archive_set_error(a, EIO, "%s", s.message().c_str());
      return -1;
    }
    return static_cast<la_ssize_t>(n);
  }

  Status Error(std::string_view what) {
    Status s = !sink_status.ok() ? sink_status : Status::Internal(std::string(what) + ": " + LastError(a));
    failed = s;
    return s;
  }

  Status Usable() const {
    if (closed) return Status::Internal("tar writer used after Close");
    return failed;
  }

  Status WriteHeader(struct archive_entry* e, std::string_view path) {
    if (archive_write_header(a, e) < ARCHIVE_WARN) return Error("cannot write tar header for '" + std::string(path) + "'");
    return Status::Ok();
  }

  Status WriteData(const void* data, std::size_t size, std::string_view path) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      la_ssize_t n = archive_write_data(a, p, size);
      if (n <= 0) return Error("cannot write tar data for '" + std::string(path) + "'");
      p += n;
      size -= static_cast<std::size_t>(n);
    }
    return Status::Ok();
  }
};

namespace {

struct EntryFree {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<struct archive_entry, EntryFree>;

EntryPtr NewEntry(const std::string& path, unsigned type, std::uint32_t mode) {
  EntryPtr e(archive_entry_new());
  archive_entry_set_pathname(e.get(), path.c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), mode & 0777);
  return e;
}

}  // namespace

TarWriter::TarWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TarWriter::~TarWriter() = default;

Result<std::unique_ptr<TarWriter>> TarWriter::ToFile(const std::filesystem::path& path, Compression c) {
  WHARF_ASSIGN_OR_RETURN(auto impl, Impl::Create(c));
  if (archive_write_open_filename(impl->a, path.c_str()) != ARCHIVE_OK) {
    return Status::Internal("cannot create " + path.string() + ": " + LastError(impl->a));
  }
  return std::unique_ptr<TarWriter>(new TarWriter(std::move(impl)));
}

Result<std::unique_ptr<TarWriter>> TarWriter::ToCallback(std::function<Status(const void*, std::size_t)> sink,
                                                         Compression c) {
  WHARF_ASSIGN_OR_RETURN(auto impl, Impl::Create(c));
  Impl* raw = impl.get();
  raw->sink = std::move(sink);
  // The last block is not padded to a full 10 KiB record: the stream ends
  // after the end-of-archive marker.
  archive_write_set_bytes_in_last_block(raw->a, 1);
  if (archive_write_open(raw->a, raw, nullptr, &Impl::WriteToSink, nullptr) != ARCHIVE_OK) {
    return raw->Error("cannot start tar stream");
  }
  return std::unique_ptr<TarWriter>(new TarWriter(std::move(impl)));
}

Status TarWriter::AddFile(std::string_view archive_path, const std::filesystem::path& source, std::uint32_t mode) {
  WHARF_RETURN_IF_ERROR(impl_->Usable());
  WHARF_ASSIGN_OR_RETURN(auto path, NormaliseRelativePath(archive_path));
  int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Status s(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kInternal,
             "cannot open " + source.string() + ": " + std::strerror(errno));
    return s;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(source.string() + " is not a regular file");
  }
  EntryPtr e = NewEntry(path, AE_IFREG, mode);
  archive_entry_set_size(e.get(), st.st_size);
  archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, 0);
  WHARF_RETURN_IF_ERROR(impl_->WriteHeader(e.get(), path));
  std::vector<char> buf(archive_internal::kBufferBytes);
  auto left = static_cast<std::uint64_t>(st.st_size);
  while (left > 0) {
    ssize_t n = ::read(fd, buf.data(), std::min<std::uint64_t>(buf.size(), left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return impl_->failed = Status::Internal("cannot read " + source.string() + ": " + std::strerror(errno));
    if (n == 0) return impl_->failed = Status::Internal(source.string() + " shrank while being archived");
    WHARF_RETURN_IF_ERROR(impl_->WriteData(buf.data(), static_cast<std::size_t>(n), path));
    left -= static_cast<std::uint64_t>(n);
  }
  return Status::Ok();
}

Status TarWriter::AddBytes(std::string_view archive_path, std::string_view content, std::uint32_t mode) {
  WHARF_RETURN_IF_ERROR(impl_->Usable());
  WHARF_ASSIGN_OR_RETURN(auto path, NormaliseRelativePath(archive_path));
  EntryPtr e = NewEntry(path, AE_IFREG, mode);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
  WHARF_RETURN_IF_ERROR(impl_->WriteHeader(e.get(), path));
  return impl_->WriteData(content.data(), content.size(), path);
}

Status TarWriter::AddDirectory(std::string_view archive_path, std::uint32_t mode) {
  WHARF_RETURN_IF_ERROR(impl_->Usable());
  WHARF_ASSIGN_OR_RETURN(auto path, NormaliseRelativePath(archive_path));
  EntryPtr e = NewEntry(path, AE_IFDIR, mode);
  return impl_->WriteHeader(e.get(), path);
}

Status TarWriter::AddSymlink(std::string_view archive_path, std::string_view target) {
  WHARF_RETURN_IF_ERROR(impl_->Usable());
  WHARF_ASSIGN_OR_RETURN(auto path, NormaliseRelativePath(archive_path));
  if (target.empty()) return Status::InvalidArgument("symlink '" + path + "' has an empty target");
  EntryPtr e = NewEntry(path, AE_IFLNK, 0777);
  archive_entry_set_symlink(e.get(), std::string(target).c_str());
  return impl_->WriteHeader(e.get(), path);
}

Status TarWriter::Close() {
  WHARF_RETURN_IF_ERROR(impl_->Usable());
  impl_->closed = true;
  if (archive_write_close(impl_->a) != ARCHIVE_OK) return impl_->Error("cannot finish tar archive");
  return Status::Ok();
}

}  // namespace wharf
