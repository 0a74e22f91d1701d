#include "common/sha256.h"

#include <doctest/doctest.h>

#include "common/file_io.h"

using namespace wharf;

TEST_CASE("Sha256Hex matches the published test vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("incremental hashing equals one-shot hashing") {
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  CHECK(h.FinishHex() == Sha256Hex("abc"));
}

TEST_CASE("Sha256OfFile hashes a file and reports a missing one") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "wharf-sha-");
  REQUIRE(dir.ok());
  REQUIRE(WriteFileAtomic(*dir / "f", "abc").ok());
  auto h = Sha256OfFile(*dir / "f");
  REQUIRE(h.ok());
  CHECK(*h == Sha256Hex("abc"));
  CHECK(Sha256OfFile(*dir / "missing").status().code() == StatusCode::kNotFound);
  std::filesystem::remove_all(*dir);
}

TEST_CASE("IsSha256Hex accepts only 64 lowercase hex characters") {
  CHECK(IsSha256Hex(Sha256Hex("x")));
  CHECK_FALSE(IsSha256Hex("abc"));
  CHECK_FALSE(IsSha256Hex(std::string(64, 'G')));
  CHECK_FALSE(IsSha256Hex(std::string(64, 'A')));
  CHECK_FALSE(IsSha256Hex("../../../../etc/passwd"));
}
