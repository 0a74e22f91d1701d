// buildpacks, create-buildpack, update-buildpack and delete-buildpack against the real wharfd API.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "cli/testing/cli_harness.h"
#include "common/archive/archive.h"

namespace wharf::cli {
namespace {

using nlohmann::json;
using testing::CliHarness;
using testing::Has;

// A tiny Cloud Foundry buildpack folder under the harness's temp folder.
std::string WriteBuildpack(CliHarness& h, const std::string& dir) {
  h.home.Write(dir + "/bin/detect", "#!/bin/sh\ntest -f \"$1/hello.txt\"\n");
  h.home.Write(dir + "/bin/compile", "#!/bin/sh\n");
  h.home.Write(dir + "/bin/release", "#!/bin/sh\necho 'default_process_types: {web: \"true\"}'\n");
  return (h.home.path() / dir).string();
}

// The same buildpack as a .tgz file under the harness's temp folder; returns its bytes.
std::string WriteBuildpackArchive(CliHarness& h, const std::string& file) {
  {
    auto tar = TarWriter::ToFile(h.home.path() / file, TarWriter::Compression::kGzip).value();
    REQUIRE(tar->AddBytes("bin/detect", "#!/bin/sh\ntest -f \"$1/hello.txt\"\n", 0755).ok());
    REQUIRE(tar->AddBytes("bin/compile", "#!/bin/sh\n", 0755).ok());
    REQUIRE(tar->Close().ok());
  }
  std::ifstream in(h.home.path() / file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::set<std::string> FilesIn(const std::string& archive) {
  std::istringstream in(archive);
  std::set<std::string> out;
  Status s = ReadArchiveStream(in, ArchiveLimits{}, [&](const ArchiveFile& f, const ArchiveReadFn&) -> Status {
    out.insert(f.path);
    return Status::Ok();
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return out;
}

// wharfd seeds the built-in buildpacks; these tests order their own, so they start from an empty list.
void DeleteBuiltins(CliHarness& h) {
  for (const json& b : h.server.buildpacks()) h.server.Call("DELETE", "/v1/buildpacks/" + b["guid"].get<std::string>());
}

// "name:position ..." in position order.
std::string Order(const CliHarness& h) {
  std::string out;
  for (const json& b : h.server.buildpacks()) {
    out += (out.empty() ? "" : " ") + b["name"].get<std::string>() + ":" + std::to_string(b["position"].get<int>());
  }
  return out;
}

TEST_CASE("create-buildpack packs a folder, creates the buildpack at its position and uploads it") {
  CliHarness h;
  DeleteBuiltins(h);
  const std::string dir = WriteBuildpack(h, "hello-bp");
  REQUIRE(h.Run({"create-buildpack", "first", dir, "1"}) == 0);
  CHECK(Has(h.Out(), "Creating buildpack first"));
  CHECK(Has(h.Out(), "Uploading buildpack first"));
  CHECK(Has(h.Out(), "Done uploading\nOK\n"));
  REQUIRE(h.Run({"create-buildpack", "hello", dir, "1", "--disable"}) == 0);
  CHECK(Order(h) == "hello:1 first:2");
  json hello = h.server.buildpacks()[0];
  CHECK(hello["enabled"] == false);
  CHECK(hello["filename"] == "hello-bp.tgz");
  CHECK(FilesIn(h.server.buildpack_upload("hello")) == std::set<std::string>{"bin/compile", "bin/detect", "bin/release"});
  REQUIRE(h.Run({"create-buildpack", "last", dir, "99"}) == 0);
  CHECK(Order(h) == "hello:1 first:2 last:3");

  REQUIRE(h.Run({"buildpacks"}) == 0);
  CHECK(Has(h.Out(), "Getting buildpacks"));
  CHECK(Has(h.Out(), "position"));
  CHECK(Has(h.Out(), "locked"));
  CHECK(Has(h.Out(), "hello-bp.tgz"));
}

TEST_CASE("create-buildpack uploads an archive file as it is and refuses other files and bad arguments") {
  CliHarness h;
  std::string tgz = WriteBuildpackArchive(h, "bp.tgz");
  REQUIRE(h.Run({"create-buildpack", "packed", (h.home.path() / "bp.tgz").string(), "1"}) == 0);
  CHECK(h.server.buildpack_upload("packed") == tgz);
  CHECK(h.server.buildpacks()[0]["filename"] == "bp.tgz");

  h.home.Write("notes.txt", "hi");
  CHECK(h.Run({"create-buildpack", "txt", (h.home.path() / "notes.txt").string(), "1"}) == 1);
  CHECK(Has(h.Err(), "must be a folder or a .zip, .tgz, .tar.gz or .tar file"));
  CHECK(h.server.buildpack_upload("txt").empty());

  h.server.ClearRequests();
  CHECK(h.Run({"create-buildpack", "x", "bp.tgz", "zero"}) == 2);
  CHECK(Has(h.Err(), "POSITION must be a whole number 1 or more"));
  CHECK(h.Run({"create-buildpack", "x", "bp.tgz", "0"}) == 2);
  CHECK(h.Run({"create-buildpack", "bad name", "bp.tgz", "1"}) == 1);
  CHECK(h.Run({"create-buildpack", "x", "bp.tgz"}) == 2);
  CHECK(h.server.mutations().empty());
  CHECK(h.Run({"create-buildpack", "packed", "bp.tgz", "1"}) == 1);
  CHECK(Has(h.Err(), "Buildpack packed already exists"));
}

TEST_CASE("An archive wharfd refuses fails create-buildpack with wharfd's reason") {
  CliHarness h;
  h.home.Write("bp.zip", "PK-not-really");
  CHECK(h.Run({"create-buildpack", "zipped", (h.home.path() / "bp.zip").string(), "1"}) == 1);
  CHECK(Has(h.Err(), "FAILED"));
  CHECK(h.server.buildpack_upload("zipped").empty());
}

TEST_CASE("update-buildpack moves, enables, disables, renames and replaces the files") {
  CliHarness h;
  DeleteBuiltins(h);
  const std::string dir = WriteBuildpack(h, "bp");
  for (const char* n : {"a", "b", "c"}) REQUIRE(h.Run({"create-buildpack", n, dir, "99"}) == 0);
  REQUIRE(h.Run({"update-buildpack", "c", "-i", "1", "--disable"}) == 0);
  CHECK(Order(h) == "c:1 a:2 b:3");
  CHECK(h.server.buildpacks()[0]["enabled"] == false);
  REQUIRE(h.Run({"update-buildpack", "c", "--enable", "--rename", "z"}) == 0);
  CHECK(Has(h.Out(), "Renaming buildpack c to z"));
  CHECK(Order(h) == "z:1 a:2 b:3");
  CHECK(h.server.buildpacks()[0]["enabled"] == true);
  std::string tgz = WriteBuildpackArchive(h, "bp.tgz");
  REQUIRE(h.Run({"update-buildpack", "a", "-p", (h.home.path() / "bp.tgz").string()}) == 0);
  CHECK(h.server.buildpack_upload("a") == tgz);
  CHECK(h.Run({"update-buildpack", "a", "--enable", "--disable"}) == 2);
  CHECK(h.Run({"update-buildpack", "a", "-i", "-3"}) == 2);
  CHECK(h.Run({"update-buildpack", "nope", "--enable"}) == 1);
  CHECK(Has(h.Err(), "Buildpack nope not found"));
}

TEST_CASE("delete-buildpack asks unless -f, closes the gap and tolerates a missing one") {
  CliHarness h;
  DeleteBuiltins(h);
  const std::string dir = WriteBuildpack(h, "bp");
  for (const char* n : {"a", "b", "c"}) REQUIRE(h.Run({"create-buildpack", n, dir, "99"}) == 0);
  h.server.ClearRequests();
  CHECK(h.Run({"delete-buildpack", "b"}) == 1);
  CHECK(Has(h.Err(), "pass -f"));
  CHECK(h.server.mutations().empty());
  REQUIRE(h.Run({"delete-buildpack", "b", "-f"}) == 0);
  CHECK(Order(h) == "a:1 c:2");
  REQUIRE(h.Run({"delete-buildpack", "b", "-f"}) == 0);
  CHECK(Has(h.Out(), "Buildpack b does not exist."));
}

TEST_CASE("The buildpack commands have help") {
  CliHarness h;
  for (const char* command : {"buildpacks", "create-buildpack", "update-buildpack", "delete-buildpack"}) {
    CAPTURE(command);
    CHECK(h.Run({command, "--help"}) == 0);
    CHECK(Has(h.Out(), "USAGE:"));
  }
  CHECK(h.Run({"help"}) == 0);
  CHECK(Has(h.Out(), "create-buildpack"));
}

}  // namespace
}  // namespace wharf::cli
