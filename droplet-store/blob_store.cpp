#include "droplet-store/blob_store.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <system_error>

#include "common/file_io.h"
#include "common/sha256.h"

namespace wharf::store {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kCopyBufferBytes = 256 * 1024;
constexpr mode_t kBlobMode = 0444;  // blobs are shared by every user of their content: nobody writes them

std::string Errno(std::string_view what, const fs::path& p) {
  return std::string(what) + " " + p.string() + ": " + std::strerror(errno);
}

Status InvalidDigest(std::string_view sha256) {
  return Status::InvalidArgument("'" + std::string(sha256) + "' is not a sha256 digest (64 lowercase hex digits)");
}

struct timespec ToTimespec(std::chrono::system_clock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1'000'000'000;
    ts.tv_sec -= 1;
  }
  return ts;
}

std::chrono::system_clock::time_point FromTimespec(const struct timespec& ts) {
  return std::chrono::system_clock::time_point{std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec})};
}

// Sets a blob's mtime to the store clock's now: the garbage collector's grace
// period counts from the last time the content was stored or asked about.
// Best effort: a failure only shortens that blob's grace period.
void Touch(const fs::path& path, const Clock& clock) {
  struct timespec times[2] = {ToTimespec(clock.Now()), ToTimespec(clock.Now())};
  (void)::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

}  // namespace

struct BlobWriter::Impl {
  const BlobStore* store = nullptr;
  fs::path tmp_path;
  int fd = -1;
  Sha256 hasher;
  std::uint64_t size = 0;
  std::optional<std::string> expected;
  bool finished = false;
  bool staged = false;   // content closed, waiting for BlobStore::PublishStaged
  std::string sha256;    // known once finished

  ~Impl() { Discard(); }

  // Drops the temporary file: nothing of this writer is published.
  void Discard() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    if (!tmp_path.empty()) ::unlink(tmp_path.c_str());
    tmp_path.clear();
  }

  Status Abandon(Status why) {
    Discard();
    return why;
  }
};

BlobWriter::BlobWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BlobWriter::~BlobWriter() = default;

Status BlobWriter::Write(const void* data, std::size_t size) {
  Impl& w = *impl_;
  if (w.finished) return Status::Internal("blob writer used after Commit");
  w.hasher.Update(data, size);
  w.size += size;
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(w.fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      w.finished = true;
      return w.Abandon(Status::Internal(Errno("cannot write", w.tmp_path)));
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

Result<BlobInfo> BlobWriter::Commit() {
  Impl& w = *impl_;
  if (w.finished) return Status::Internal("blob writer committed twice or after a failed write");
  w.finished = true;
  BlobInfo info{w.hasher.FinishHex(), w.size};
  if (w.expected && *w.expected != info.sha256) {
    return w.Abandon(Status::Unprocessable("content has sha256 " + info.sha256 + ", not the expected " + *w.expected));
  }
  const BlobStore& store = *w.store;
  fs::path final_path = store.PathOf(info.sha256);
  if (store.Has(info.sha256)) {  // identical content is stored once
    Touch(final_path, store.clock());
    w.Discard();
    return info;
  }
  struct timespec times[2] = {ToTimespec(store.clock().Now()), ToTimespec(store.clock().Now())};
  if (::fchmod(w.fd, kBlobMode) != 0) return w.Abandon(Status::Internal(Errno("cannot chmod", w.tmp_path)));
  if (::futimens(w.fd, times) != 0) return w.Abandon(Status::Internal(Errno("cannot set times of", w.tmp_path)));
  if (::fsync(w.fd) != 0) return w.Abandon(Status::Internal(Errno("cannot fsync", w.tmp_path)));
  int fd = w.fd;
  w.fd = -1;
  if (::close(fd) != 0) return w.Abandon(Status::Internal(Errno("cannot close", w.tmp_path)));

  fs::path fan_out = final_path.parent_path();
  if (::mkdir(fan_out.c_str(), 0755) == 0) {
    WHARF_RETURN_IF_ERROR(SyncDirectory(fan_out.parent_path()));
  } else if (errno != EEXIST) {
    return w.Abandon(Status::Internal(Errno("cannot create folder", fan_out)));
  }
  if (::rename(w.tmp_path.c_str(), final_path.c_str()) != 0) {
    return w.Abandon(Status::Internal(Errno("cannot publish blob", final_path)));
  }
  w.tmp_path.clear();
  WHARF_RETURN_IF_ERROR(SyncDirectory(fan_out));
  return info;
}

Result<BlobInfo> BlobWriter::Stage() {
  Impl& w = *impl_;
  if (w.finished) return Status::Internal("blob writer committed twice or after a failed write");
  w.finished = true;
  BlobInfo info{w.hasher.FinishHex(), w.size};
  w.sha256 = info.sha256;
  if (w.expected && *w.expected != info.sha256) {
    return w.Abandon(Status::Unprocessable("content has sha256 " + info.sha256 + ", not the expected " + *w.expected));
  }
  const BlobStore& store = *w.store;
  if (store.Has(info.sha256)) {  // identical content is stored once
    Touch(store.PathOf(info.sha256), store.clock());
    w.Discard();
    return info;
  }
  struct timespec times[2] = {ToTimespec(store.clock().Now()), ToTimespec(store.clock().Now())};
  if (::fchmod(w.fd, kBlobMode) != 0) return w.Abandon(Status::Internal(Errno("cannot chmod", w.tmp_path)));
  if (::futimens(w.fd, times) != 0) return w.Abandon(Status::Internal(Errno("cannot set times of", w.tmp_path)));
  int fd = w.fd;
  w.fd = -1;
  if (::close(fd) != 0) return w.Abandon(Status::Internal(Errno("cannot close", w.tmp_path)));
  w.staged = true;
  return info;
}

Status BlobStore::PublishStaged(std::vector<std::unique_ptr<BlobWriter>>& staged) {
  fs::path tmp = root_ / "tmp";
  int tmp_fd = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (tmp_fd < 0) return Status::Internal(Errno("cannot open", tmp));
  int rc = ::syncfs(tmp_fd);
  ::close(tmp_fd);
  if (rc != 0) return Status::Internal(Errno("cannot sync the file system of", tmp));

  std::set<fs::path> changed_dirs;
  for (auto& writer : staged) {
    BlobWriter::Impl& w = *writer->impl_;
    if (!w.staged || w.tmp_path.empty()) continue;  // deduplicated or already published
    fs::path final_path = PathOf(w.sha256);
    fs::path fan_out = final_path.parent_path();
    if (::mkdir(fan_out.c_str(), 0755) == 0) {
      changed_dirs.insert(fan_out.parent_path());
    } else if (errno != EEXIST) {
      return Status::Internal(Errno("cannot create folder", fan_out));
    }
    if (::rename(w.tmp_path.c_str(), final_path.c_str()) != 0) {
      return Status::Internal(Errno("cannot publish blob", final_path));
    }
    w.tmp_path.clear();
    w.staged = false;
    changed_dirs.insert(fan_out);
  }
  for (const fs::path& dir : changed_dirs) WHARF_RETURN_IF_ERROR(SyncDirectory(dir));
  return Status::Ok();
}

Result<std::unique_ptr<BlobStore>> BlobStore::Open(const fs::path& root, const Clock& clock) {
  std::error_code ec;
  fs::create_directories(root / "blobs", ec);
  if (!ec) fs::create_directories(root / "tmp", ec);
  if (ec) return Status::Internal("cannot create blob store at " + root.string() + ": " + ec.message());
  for (const auto& leftover : fs::directory_iterator(root / "tmp", ec)) {
    fs::remove_all(leftover.path(), ec);
    if (ec) return Status::Internal("cannot remove " + leftover.path().string() + ": " + ec.message());
  }
  if (ec) return Status::Internal("cannot list " + (root / "tmp").string() + ": " + ec.message());
  return std::unique_ptr<BlobStore>(new BlobStore(root, clock));
}

fs::path BlobStore::PathOf(std::string_view sha256) const {
  if (!IsSha256Hex(sha256)) return {};
  return root_ / "blobs" / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

bool BlobStore::Has(std::string_view sha256) const {
  if (!IsSha256Hex(sha256)) return false;
  struct stat st {};
  return ::stat(PathOf(sha256).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::uint64_t> BlobStore::Size(std::string_view sha256) const {
  if (!IsSha256Hex(sha256)) return InvalidDigest(sha256);
  struct stat st {};
  if (::stat(PathOf(sha256).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::NotFound("blob " + std::string(sha256) + " is not stored");
  }
  return static_cast<std::uint64_t>(st.st_size);
}

Result<std::unique_ptr<BlobWriter>> BlobStore::NewWriter(std::optional<std::string> expected_sha256) {
  if (expected_sha256 && !IsSha256Hex(*expected_sha256)) return InvalidDigest(*expected_sha256);
  auto impl = std::make_unique<BlobWriter::Impl>();
  impl->store = this;
  impl->expected = std::move(expected_sha256);
  std::string tmpl = (root_ / "tmp" / "blob-XXXXXX").string();
  impl->fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (impl->fd < 0) {
    impl->finished = true;
    return Status::Internal(Errno("cannot create a temporary file in", root_ / "tmp"));
  }
  impl->tmp_path = tmpl;
  return std::unique_ptr<BlobWriter>(new BlobWriter(std::move(impl)));
}

Result<BlobInfo> BlobStore::PutBytes(std::string_view content) {
  WHARF_ASSIGN_OR_RETURN(auto w, NewWriter());
  WHARF_RETURN_IF_ERROR(w->Write(content.data(), content.size()));
  return w->Commit();
}

Result<BlobInfo> BlobStore::PutFile(const fs::path& source) {
  int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kInternal, Errno("cannot open", source));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  WHARF_ASSIGN_OR_RETURN(auto w, NewWriter());
  std::vector<char> buf(kCopyBufferBytes);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Internal(Errno("cannot read", source));
    if (n == 0) break;
    WHARF_RETURN_IF_ERROR(w->Write(buf.data(), static_cast<std::size_t>(n)));
  }
  return w->Commit();
}

Result<std::string> BlobStore::ReadAll(std::string_view sha256) const {
  if (!IsSha256Hex(sha256)) return InvalidDigest(sha256);
  auto content = ReadFile(PathOf(sha256));
  if (!content.ok() && content.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("blob " + std::string(sha256) + " is not stored");
  }
  return content;
}

std::vector<std::string> BlobStore::Missing(const std::vector<std::string>& sha256s) const {
  std::vector<std::string> missing;
  std::set<std::string_view> seen;
  for (const std::string& sha : sha256s) {
    if (!seen.insert(sha).second) continue;
    if (Has(sha)) {
      Touch(PathOf(sha), clock_);
    } else {
      missing.push_back(sha);
    }
  }
  return missing;
}

Status BlobStore::Remove(std::string_view sha256) {
  if (!IsSha256Hex(sha256)) return InvalidDigest(sha256);
  fs::path p = PathOf(sha256);
  if (::unlink(p.c_str()) != 0) {
    if (errno == ENOENT) return Status::NotFound("blob " + std::string(sha256) + " is not stored");
    return Status::Internal(Errno("cannot remove", p));
  }
  return Status::Ok();
}

Result<std::vector<BlobEntry>> BlobStore::List() const {
  std::vector<BlobEntry> out;
  std::error_code ec;
  for (const auto& fan_out : fs::directory_iterator(root_ / "blobs", ec)) {
    std::string prefix = fan_out.path().filename().string();
    if (prefix.size() != 2 || !fan_out.is_directory()) continue;
    std::error_code inner;
    for (const auto& file : fs::directory_iterator(fan_out.path(), inner)) {
      std::string name = file.path().filename().string();
      if (!IsSha256Hex(name) || name.compare(0, 2, prefix) != 0) continue;
      struct stat st {};
      if (::lstat(file.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // removed meanwhile
      out.push_back(BlobEntry{name, static_cast<std::uint64_t>(st.st_size), FromTimespec(st.st_mtim)});
    }
    if (inner) return Status::Internal("cannot list " + fan_out.path().string() + ": " + inner.message());
  }
  if (ec) return Status::Internal("cannot list " + (root_ / "blobs").string() + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const BlobEntry& a, const BlobEntry& b) { return a.sha256 < b.sha256; });
  return out;
}

}  // namespace wharf::store
