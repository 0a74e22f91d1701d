#include "droplet-store/blob_store.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <random>

#include "common/archive/archive_test_util.h"
#include "common/file_io.h"
#include "common/sha256.h"

using namespace wharf;
using namespace wharf::store;
using wharf::testing::TempDir;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  TempDir tmp;
  FakeClock clock;
  std::unique_ptr<BlobStore> store;
  Fixture() {
    auto s = BlobStore::Open(tmp / "store", clock);
    REQUIRE(s.ok());
    store = std::move(s).value();
  }
  std::size_t TmpEntries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(tmp / "store/tmp")) ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("BlobStore stores content under its sha256, read-only, and reads it back") {
  Fixture f;
  auto info = f.store->PutBytes("hello");
  REQUIRE(info.ok());
  CHECK(info->sha256 == Sha256Hex("hello"));
  CHECK(info->size == 5);
  CHECK(f.store->Has(info->sha256));
  CHECK(*f.store->Size(info->sha256) == 5);
  CHECK(*f.store->ReadAll(info->sha256) == "hello");
  fs::path p = f.store->PathOf(info->sha256);
  CHECK(p == f.tmp / "store/blobs" / info->sha256.substr(0, 2) / info->sha256);
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0444);
  CHECK(f.TmpEntries() == 0);
}

TEST_CASE("BlobStore stores identical content once") {
  Fixture f;
  REQUIRE(f.store->PutBytes("same").ok());
  REQUIRE(WriteFileAtomic(f.tmp / "same.txt", "same").ok());
  auto again = f.store->PutFile(f.tmp / "same.txt");
  REQUIRE(again.ok());
  CHECK(again->sha256 == Sha256Hex("same"));
  auto list = f.store->List();
  REQUIRE(list.ok());
  CHECK(list->size() == 1);
  CHECK(f.TmpEntries() == 0);
}

TEST_CASE("BlobStore streams a file larger than its copy buffer") {
  Fixture f;
  std::mt19937 rng(42);
  std::string data(3 << 20, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  REQUIRE(WriteFileAtomic(f.tmp / "big", data).ok());
  auto info = f.store->PutFile(f.tmp / "big");
  REQUIRE(info.ok());
  CHECK(info->sha256 == Sha256Hex(data));
  CHECK(info->size == data.size());
  CHECK(f.store->PutFile(f.tmp / "missing").status().code() == StatusCode::kNotFound);
}

TEST_CASE("A writer given an expected digest refuses other content and keeps nothing") {
  Fixture f;
  auto w = f.store->NewWriter(Sha256Hex("expected"));
  REQUIRE(w.ok());
  REQUIRE((*w)->Write("other", 5).ok());
  auto r = (*w)->Commit();
  CHECK(r.status().code() == StatusCode::kUnprocessable);
  CHECK(r.status().message().find(Sha256Hex("other")) != std::string::npos);
  CHECK_FALSE(f.store->Has(Sha256Hex("other")));
  CHECK_FALSE(f.store->Has(Sha256Hex("expected")));
  CHECK(f.TmpEntries() == 0);
  CHECK((*w)->Commit().status().code() == StatusCode::kInternal);  // a writer is used once
}

TEST_CASE("A blob is invisible until committed and an abandoned writer leaves nothing") {
  Fixture f;
  std::string sha = Sha256Hex("partial content");
  {
    auto w = f.store->NewWriter(sha);
    REQUIRE(w.ok());
    REQUIRE((*w)->Write("partial ", 8).ok());
    CHECK_FALSE(f.store->Has(sha));
    CHECK(f.TmpEntries() == 1);
  }  // destroyed without Commit, as when a client disconnects mid-upload
  CHECK_FALSE(f.store->Has(sha));
  CHECK(f.TmpEntries() == 0);
  CHECK(f.store->List()->empty());
}

TEST_CASE("BlobStore::Open clears leftovers of interrupted writes and keeps blobs") {
  TempDir tmp;
  FakeClock clock;
  std::string sha;
  {
    auto store = BlobStore::Open(tmp / "store", clock);
    REQUIRE(store.ok());
    sha = (*store)->PutBytes("kept")->sha256;
  }
  REQUIRE(WriteFileAtomic(tmp / "store/tmp/blob-crashed", "half").ok());
  fs::create_directories(tmp / "store/tmp/stray-dir/inner");
  auto store = BlobStore::Open(tmp / "store", clock);
  REQUIRE(store.ok());
  CHECK(fs::is_empty(tmp / "store/tmp"));
  CHECK((*store)->Has(sha));
}

TEST_CASE("Missing lists unknown digests once, in order, and refreshes the known ones") {
  Fixture f;
  std::string a = f.store->PutBytes("a")->sha256;
  std::string x = Sha256Hex("x"), y = Sha256Hex("y");
  f.clock.Advance(std::chrono::hours(5));
  auto missing = f.store->Missing({y, a, x, y, "not-a-digest"});
  CHECK(missing == std::vector<std::string>{y, x, "not-a-digest"});
  auto list = f.store->List();
  REQUIRE(list->size() == 1);
  CHECK(list->front().modified == f.clock.Now());  // kept through the next GC's grace period
}

TEST_CASE("Remove deletes a blob and List reports size and time of the rest") {
  Fixture f;
  auto t0 = f.clock.Now();
  std::string a = f.store->PutBytes("aaaa")->sha256;
  f.clock.Advance(std::chrono::minutes(10));
  std::string b = f.store->PutBytes("bb")->sha256;
  auto list = f.store->List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  for (const BlobEntry& e : *list) {
    CHECK(e.size == (e.sha256 == a ? 4u : 2u));
    CHECK(e.modified == (e.sha256 == a ? t0 : f.clock.Now()));
  }
  CHECK(f.store->Remove(a).ok());
  CHECK_FALSE(f.store->Has(a));
  CHECK(f.store->Remove(a).code() == StatusCode::kNotFound);
  CHECK(f.store->ReadAll(a).status().code() == StatusCode::kNotFound);
  CHECK(f.store->List()->size() == 1);
}

TEST_CASE("Storing existing content again refreshes its time") {
  Fixture f;
  std::string a = f.store->PutBytes("again")->sha256;
  f.clock.Advance(std::chrono::hours(1));
  REQUIRE(f.store->PutBytes("again").ok());
  CHECK(f.store->List()->front().modified == f.clock.Now());
}

TEST_CASE("Digests are validated before they become paths") {
  Fixture f;
  REQUIRE(WriteFileAtomic(f.tmp / "victim", "keep").ok());
  for (const std::string& bad : std::vector<std::string>{"../../victim", "../../../../../../etc/passwd", "", std::string(64, 'A'),
                          std::string(63, 'a') + "/"}) {
    CAPTURE(bad);
    CHECK_FALSE(f.store->Has(bad));
    CHECK(f.store->PathOf(bad).empty());
    CHECK(f.store->Size(bad).status().code() == StatusCode::kInvalidArgument);
    CHECK(f.store->ReadAll(bad).status().code() == StatusCode::kInvalidArgument);
    CHECK(f.store->Remove(bad).code() == StatusCode::kInvalidArgument);
    CHECK(f.store->NewWriter(bad).status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(*ReadFile(f.tmp / "victim") == "keep");
}

TEST_CASE("A staged batch is invisible until published, and a dropped batch leaves nothing") {
  Fixture f;
  std::vector<std::unique_ptr<BlobWriter>> batch;
  for (std::string content : {"one", "two", "one"}) {
    auto w = f.store->NewWriter(Sha256Hex(content));
    REQUIRE(w.ok());
    REQUIRE((*w)->Write(content.data(), content.size()).ok());
    REQUIRE((*w)->Stage().ok());
    batch.push_back(std::move(w).value());
  }
  CHECK_FALSE(f.store->Has(Sha256Hex("one")));
  CHECK_FALSE(f.store->Has(Sha256Hex("two")));
  REQUIRE(f.store->PublishStaged(batch).ok());
  CHECK(f.store->Has(Sha256Hex("one")));
  CHECK(*f.store->ReadAll(Sha256Hex("two")) == "two");
  batch.clear();
  CHECK(f.store->Has(Sha256Hex("one")));
  CHECK(f.TmpEntries() == 0);

  std::vector<std::unique_ptr<BlobWriter>> dropped;
  auto w = f.store->NewWriter();
  REQUIRE(w.ok());
  REQUIRE((*w)->Write("three", 5).ok());
  REQUIRE((*w)->Stage().ok());
  dropped.push_back(std::move(w).value());
  CHECK(f.TmpEntries() == 1);
  dropped.clear();
  CHECK(f.TmpEntries() == 0);
  CHECK_FALSE(f.store->Has(Sha256Hex("three")));
}

TEST_CASE("Stage refuses content that does not match the expected digest") {
  Fixture f;
  auto w = f.store->NewWriter(Sha256Hex("expected"));
  REQUIRE(w.ok());
  REQUIRE((*w)->Write("other", 5).ok());
  CHECK((*w)->Stage().status().code() == StatusCode::kUnprocessable);
  CHECK(f.TmpEntries() == 0);
}
