#include "droplet-store/resource_upload.h"

#include <doctest/doctest.h>

#include <sstream>
#include <utility>

#include "common/archive/archive_test_util.h"
#include "common/file_io.h"
#include "common/sha256.h"

using namespace wharf;
using namespace wharf::store;
using wharf::testing::TempDir;
namespace fs = std::filesystem;

namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;  // name, content

std::string MakeTar(const Entries& entries, TarWriter::Compression c = TarWriter::Compression::kNone) {
  std::string out;
  auto w = TarWriter::ToCallback(
      [&](const void* p, std::size_t n) {
        out.append(static_cast<const char*>(p), n);
        return Status::Ok();
      },
      c);
  REQUIRE(w.ok());
  for (const auto& [name, content] : entries) REQUIRE((*w)->AddBytes(name, content, 0644).ok());
  REQUIRE((*w)->Close().ok());
  return out;
}

struct Fixture {
  TempDir tmp;
  FakeClock clock;
  std::unique_ptr<BlobStore> store = std::move(BlobStore::Open(tmp / "store", clock)).value();

  Result<UploadSummary> Import(const std::string& tar, const ArchiveLimits& limits = {}) {
    std::istringstream in(tar);
    return ImportResources(*store, in, limits);
  }
  std::size_t BlobCount() const { return store->List()->size(); }
};

}  // namespace

TEST_CASE("ImportResources stores each entry under its digest and counts new contents") {
  Fixture f;
  REQUIRE(f.store->PutBytes("old").ok());
  std::string big(200'000, 'z');
  for (auto c : {TarWriter::Compression::kNone, TarWriter::Compression::kGzip}) {
    auto r = f.Import(MakeTar({{Sha256Hex("old"), "old"}, {Sha256Hex("new"), "new"}, {Sha256Hex(big), big}}, c));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(r->files == 3);
    CHECK(r->bytes == 3 + 3 + big.size());
    CHECK(f.store->Has(Sha256Hex("new")));
    CHECK(*f.store->ReadAll(Sha256Hex(big)) == big);
    if (c == TarWriter::Compression::kNone) CHECK(r->new_blobs == 2);
    if (c == TarWriter::Compression::kGzip) CHECK(r->new_blobs == 0);  // all stored by the first upload
  }
}

TEST_CASE("ImportResources is all or nothing: a bad third entry removes what the first two added") {
  Fixture f;
  REQUIRE(f.store->PutBytes("existing").ok());
  std::string liar = Sha256Hex("promised");
  auto r = f.Import(MakeTar({{Sha256Hex("one"), "one"},
                             {Sha256Hex("existing"), "existing"},
                             {liar, "delivered"},
                             {Sha256Hex("four"), "four"}}));
  CHECK(r.status().code() == StatusCode::kUnprocessable);
  CHECK(r.status().message().find("'" + liar + "'") != std::string::npos);
  CHECK_FALSE(f.store->Has(Sha256Hex("one")));
  CHECK_FALSE(f.store->Has(Sha256Hex("delivered")));
  CHECK_FALSE(f.store->Has(Sha256Hex("four")));
  CHECK(f.store->Has(Sha256Hex("existing")));  // stored before the upload: stays
  CHECK(f.BlobCount() == 1);
  CHECK(fs::is_empty(f.tmp / "store/tmp"));
}

TEST_CASE("ImportResources refuses entries not named by a digest, naming them") {
  Fixture f;
  for (const std::string& bad : std::vector<std::string>{"server.js", "sub/" + Sha256Hex("x"), std::string(64, 'F')}) {
    auto r = f.Import(MakeTar({{Sha256Hex("first"), "first"}, {bad, "x"}}));
    CAPTURE(bad);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().message().find("'" + bad + "'") != std::string::npos);
    CHECK(f.BlobCount() == 0);
  }
}

TEST_CASE("ImportResources refuses entries over the caps and links, keeping nothing") {
  Fixture f;
  ArchiveLimits limits;
  limits.max_entry_bytes = 100;
  std::string big(101, 'b');
  auto r = f.Import(MakeTar({{Sha256Hex("ok"), "ok"}, {Sha256Hex(big), big}}), limits);
  CHECK(r.status().code() == StatusCode::kTooLarge);
  CHECK(r.status().message().find(Sha256Hex(big)) != std::string::npos);
  CHECK(f.BlobCount() == 0);

  wharf::testing::WriteTestArchive(f.tmp / "links.tar", wharf::testing::TestFormat::kTar,
                                   {wharf::testing::File(Sha256Hex("ok"), "ok"),
                                    wharf::testing::Symlink(Sha256Hex("y"), "/etc/passwd")});
  r = f.Import(*ReadFile(f.tmp / "links.tar"));
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find(Sha256Hex("y")) != std::string::npos);
  CHECK(f.BlobCount() == 0);
}

TEST_CASE("ImportResources refuses a truncated or garbled stream, keeping nothing") {
  Fixture f;
  std::string content(50'000, 'q');
  std::string tar = MakeTar({{Sha256Hex("a"), "a"}, {Sha256Hex(content), content}});
  auto r = f.Import(tar.substr(0, 20'000));
  CHECK_FALSE(r.ok());
  CHECK(f.BlobCount() == 0);
  r = f.Import("this is not a tar stream at all, just words");
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(f.BlobCount() == 0);
}
