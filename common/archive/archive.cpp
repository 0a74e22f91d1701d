// Path normalisation, the shared reader set-up and size budget, and streaming
// reads of archives (ReadArchiveStream). Extraction to disk is in
// archive_extract.cpp, writing in archive_tar_writer.cpp.
#include "common/archive/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <istream>
#include <vector>

#include "common/archive/archive_internal.h"

namespace wharf {

Result<std::string> NormaliseRelativePath(std::string_view path) {
  auto refuse = [&](std::string_view why) {
    return Status::InvalidArgument("path '" + std::string(path) + "' " + std::string(why));
  };
  if (path.find('\0') != std::string_view::npos) return refuse("contains a NUL byte");
  if (!path.empty() && path.front() == '/') return refuse("is absolute");
  std::string out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return refuse("has a '..' component");
    if (!out.empty()) out += '/';
    out.append(part);
  }
  if (out.empty()) return refuse("is empty");
  return out;
}

namespace archive_internal {

ReaderPtr NewReader() {
  ReaderPtr a(archive_read_new());
  // A filter that needs an external program returns ARCHIVE_WARN; we accept
  // that libarchive may then be unable to read such input.
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_format_zip(a.get());
  return a;
}

std::string LastError(struct archive* a) {
  const char* e = archive_error_string(a);
  return e != nullptr ? std::string(e) : std::string("unknown error");
}

std::string EntryPrefix(std::string_view name) { return "archive entry '" + std::string(name) + "': "; }

Status OutputBudget::StartEntry(std::string_view name) {
  entry_bytes_ = 0;
  if (++entries_ > limits_.max_entries) {
    return Status::TooLarge(EntryPrefix(name) + "more than " + std::to_string(limits_.max_entries) +
                            " entries in the archive");
  }
  return Status::Ok();
}

Status OutputBudget::CheckDeclaredSize(std::string_view name, std::uint64_t size) const {
  if (size > limits_.max_entry_bytes) {
    return Status::TooLarge(EntryPrefix(name) + "size " + std::to_string(size) + " bytes is over the cap of " +
                            std::to_string(limits_.max_entry_bytes));
  }
  if (size > limits_.max_total_bytes || total_bytes_ > limits_.max_total_bytes - size) {
    return Status::TooLarge(EntryPrefix(name) + "takes the archive over the total cap of " +
                            std::to_string(limits_.max_total_bytes) + " bytes");
  }
  return Status::Ok();
}

Status OutputBudget::Grow(std::string_view name, std::uint64_t entry_end) {
  if (entry_end <= entry_bytes_) return Status::Ok();
  std::uint64_t added = entry_end - entry_bytes_;
  entry_bytes_ = entry_end;
  total_bytes_ += added;
  if (entry_bytes_ > limits_.max_entry_bytes) {
    return Status::TooLarge(EntryPrefix(name) + "content is over the cap of " +
                            std::to_string(limits_.max_entry_bytes) + " bytes");
  }
  if (total_bytes_ > limits_.max_total_bytes) {
    return Status::TooLarge(EntryPrefix(name) + "takes the archive over the total cap of " +
                            std::to_string(limits_.max_total_bytes) + " bytes");
  }
  constexpr std::uint64_t kRatioFloor = 1 << 20;
  if (total_bytes_ > kRatioFloor) {
    la_int64_t consumed = archive_filter_bytes(reader_, -1);
    double compressed = consumed > 0 ? static_cast<double>(consumed) : 1.0;
    double ratio = static_cast<double>(total_bytes_) / compressed;
    if (ratio > limits_.max_compression_ratio) {
      return Status::TooLarge(EntryPrefix(name) + "compression ratio " + std::to_string(static_cast<long>(ratio)) +
                              ":1 is over the cap of " +
                              std::to_string(static_cast<long>(limits_.max_compression_ratio)) +
                              ":1 (an archive bomb?)");
    }
  }
  return Status::Ok();
}

}  // namespace archive_internal

namespace {

using archive_internal::EntryPrefix;
using archive_internal::kBufferBytes;
using archive_internal::LastError;

struct StreamSource {
  std::istream* in;
  std::vector<char> buf = std::vector<char>(kBufferBytes);
};

la_ssize_t ReadFromStream(struct archive* a, void* client, const void** out) {
  auto* src = static_cast<StreamSource*>(client);
  src->in->read(src->buf.data(), static_cast<std::streamsize>(src->buf.size()));
  std::streamsize n = src->in->gcount();
  if (n == 0 && src->in->bad()) {
    archive_set_error(a, EIO, "cannot read the archive stream");
    return -1;
  }
  *out = src->buf.data();
  return static_cast<la_ssize_t>(n);
}

}  // namespace

Status ReadArchiveStream(std::istream& in, const ArchiveLimits& limits,
                         const std::function<Status(const ArchiveFile&, const ArchiveReadFn& read)>& on_file) {
  archive_internal::ReaderPtr reader = archive_internal::NewReader();
  struct archive* a = reader.get();
  StreamSource source{&in};
  if (archive_read_open(a, &source, nullptr, ReadFromStream, nullptr) != ARCHIVE_OK) {
    return Status::InvalidArgument("cannot read archive: " + LastError(a));
  }
  archive_internal::OutputBudget budget(limits, a);
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return Status::InvalidArgument("archive is malformed: " + LastError(a));
    const char* raw_c = archive_entry_pathname(entry);
    std::string raw = raw_c != nullptr ? raw_c : "";
    WHARF_RETURN_IF_ERROR(budget.StartEntry(raw));
    auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) continue;
    auto path = NormaliseRelativePath(raw);
    if (!path.ok()) return Status::InvalidArgument(EntryPrefix(raw) + path.status().message());
    if (type != AE_IFREG || archive_entry_hardlink(entry) != nullptr) {
      return Status::InvalidArgument(EntryPrefix(raw) + "is not a regular file or a folder");
    }
    if (archive_entry_size_is_set(entry)) {
      WHARF_RETURN_IF_ERROR(budget.CheckDeclaredSize(raw, static_cast<std::uint64_t>(archive_entry_size(entry))));
    }
    ArchiveFile file{*path, archive_entry_size_is_set(entry) ? static_cast<std::uint64_t>(archive_entry_size(entry)) : 0,
                     static_cast<std::uint32_t>(archive_entry_perm(entry) & 0777)};

    // The reader handed to the callback enforces the caps; a cap hit is
    // remembered so it is reported even if the callback swallows the -1.
    std::uint64_t read_so_far = 0;
    Status read_error;
    ArchiveReadFn read = [&](void* buf, std::size_t size) -> long {
      if (!read_error.ok()) return -1;
      la_ssize_t n = archive_read_data(a, buf, size);
      if (n < 0) {
        read_error = Status::InvalidArgument(EntryPrefix(raw) + "cannot read content: " + LastError(a));
        return -1;
      }
      read_so_far += static_cast<std::uint64_t>(n);
      Status s = budget.Grow(raw, read_so_far);
      if (!s.ok()) {
        read_error = s;
        return -1;
      }
      return static_cast<long>(n);
    };
    Status s = on_file(file, read);
    if (!read_error.ok()) return read_error;
    WHARF_RETURN_IF_ERROR(s);
    // Drain what the callback left unread, still under the caps, so the
    // next header is found and a lying header can't hide a bomb.
    std::vector<char> sink(kBufferBytes);
    for (;;) {
      long n = read(sink.data(), sink.size());
      if (n < 0) return read_error;
      if (n == 0) break;
    }
  }
  return Status::Ok();
}

}  // namespace wharf
