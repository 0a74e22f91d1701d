// Resource matching, uploads, packages, downloads, builds and droplets through the real HTTP server.
#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>

#include <map>

#include "common/sha256.h"
#include "controller/api/api_test_support.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TarOf;
using testing::TestPlatform;

// Reads a tar with libarchive: path -> content.
std::map<std::string, std::string> Untar(const std::string& tar) {
  std::map<std::string, std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  REQUIRE(archive_read_open_memory(a, tar.data(), tar.size()) == ARCHIVE_OK);
  struct archive_entry* entry = nullptr;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    std::string content(static_cast<std::size_t>(archive_entry_size(entry)), '\0');
    if (!content.empty()) archive_read_data(a, content.data(), content.size());
    out[archive_entry_pathname(entry)] = content;
  }
  archive_read_free(a);
  return out;
}

json FileEntry(const std::string& path, const std::string& content, int mode = 0644) {
  return {{"path", path}, {"sha256", Sha256Hex(content)}, {"size", content.size()}, {"mode", mode}};
}

TEST_CASE("API: push flow: resource match, upload the missing contents, create a package, download it") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  const std::string index = "<h1>hi</h1>";
  const std::string server = "require('http')";

  HttpResult match = p.Call("POST", "/v1/resource_match",
                            json{{"resources",
                                  {{{"sha256", Sha256Hex(index)}, {"size", index.size()}},
                                   {{"sha256", Sha256Hex(server)}, {"size", server.size()}}}}});
  REQUIRE_MESSAGE(match.status == 200, match.body);
  CHECK(match.json["missing"].size() == 2);

  std::string tar = TarOf({{Sha256Hex(index), index}, {Sha256Hex(server), server}});
  HttpResult upload = p.Send("POST", "/v1/resources", "application/x-tar", tar);
  REQUIRE_MESSAGE(upload.status == 200, upload.body);
  CHECK(upload.json == json{{"files", 2}, {"new_blobs", 2}, {"bytes", index.size() + server.size()}});

  match = p.Call("POST", "/v1/resource_match",
                 json{{"resources", {{{"sha256", Sha256Hex(index)}, {"size", index.size()}}}}});
  CHECK(match.json["missing"] == json::array());

  HttpResult pkg = p.Call("POST", "/v1/apps/" + app + "/packages",
                          json{{"files", {FileEntry("public/index.html", index), FileEntry("server.js", server, 0755)}},
                               {"source", {{"type", "git"}, {"url", "https://example.com/r.git"}, {"ref", "main"},
                                           {"commit", "9fceb02"}}}});
  REQUIRE_MESSAGE(pkg.status == 201, pkg.body);
  CHECK(pkg.json["state"] == "READY");
  CHECK(pkg.json["file_count"] == 2);
  CHECK(pkg.json["size_bytes"] == index.size() + server.size());
  CHECK(pkg.json["source"]["commit"] == "9fceb02");
  CHECK(pkg.json["sha256"].get<std::string>().size() == 64);
  std::string guid = pkg.json["guid"];

  CHECK(p.Call("GET", "/v1/packages/" + guid).json == pkg.json);
  HttpResult list = p.Call("GET", "/v1/apps/" + app + "/packages");
  CHECK(list.json["resources"][0]["guid"] == guid);

  HttpResult download = p.Call("GET", "/v1/packages/" + guid + "/download");
  REQUIRE(download.status == 200);
  CHECK(download.headers["Content-Type"] == "application/x-tar");
  CHECK(download.headers["Transfer-Encoding"] == "chunked");
  auto files = Untar(download.body);
  CHECK(files["public/index.html"] == index);
  CHECK(files["server.js"] == server);

  // The same files again give the same package digest and need no upload.
  HttpResult again = p.Call("POST", "/v1/apps/" + app + "/packages",
                            json{{"files", {FileEntry("server.js", server, 0755), FileEntry("public/index.html", index)}}});
  REQUIRE(again.status == 201);
  CHECK(again.json["sha256"] == pkg.json["sha256"]);
  CHECK(again.json["source"] == json{{"type", "folder"}});
  HttpResult newest_first = p.Call("GET", "/v1/apps/" + app + "/packages");
  CHECK(newest_first.json["resources"][0]["guid"] == again.json["guid"]);
}

TEST_CASE("API: a package naming content that was never uploaded is 422 listing the digest") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  HttpResult r = p.Call("POST", "/v1/apps/" + app + "/packages", json{{"files", {FileEntry("a.txt", "never sent")}}});
  CHECK_MESSAGE(r.status == 422, r.body);
  CHECK(r.json["code"] == "unprocessable");
  CHECK(r.json["detail"].get<std::string>().find(Sha256Hex("never sent")) != std::string::npos);
  CHECK(p.Call("GET", "/v1/apps/" + app + "/packages").json["resources"].empty());
}

TEST_CASE("API: a bad package path is 400 naming the entry") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  p.Send("POST", "/v1/resources", "application/x-tar", TarOf({{Sha256Hex("x"), "x"}}));
  for (const char* path : {"../escape", "/etc/passwd"}) {
    HttpResult r = p.Call("POST", "/v1/apps/" + app + "/packages", json{{"files", {FileEntry(path, "x")}}});
    CHECK_MESSAGE(r.status == 400, r.body);
    CHECK(r.json["detail"].get<std::string>().find(path) != std::string::npos);
  }
  HttpResult dup = p.Call("POST", "/v1/apps/" + app + "/packages",
                          json{{"files", {FileEntry("a", "x"), FileEntry("a", "x")}}});
  CHECK(dup.status == 400);
  HttpResult wrong = p.Call("POST", "/v1/apps/" + app + "/packages", json{{"files", {{{"path", "a"}, {"sha256", 1}}}}});
  CHECK(wrong.status == 400);
  CHECK(wrong.json["detail"] == "field 'files[0].sha256' must be a string");
  HttpResult source = p.Call("POST", "/v1/apps/" + app + "/packages",
                             json{{"files", {FileEntry("a", "x")}}, {"source", {{"type", "svn"}}}});
  CHECK(source.status == 400);
  CHECK(p.Call("POST", "/v1/apps/nope/packages", json{{"files", {FileEntry("a", "x")}}}).status == 404);
}

TEST_CASE("API: an upload whose content does not match its name is refused whole, naming the entry") {
  TestPlatform p;
  std::string good = "good";
  std::string tar = TarOf({{Sha256Hex(good), good}, {Sha256Hex("claimed"), "actual"}});
  HttpResult r = p.Send("POST", "/v1/resources", "application/x-tar", tar);
  CHECK_MESSAGE(r.status == 422, r.body);
  CHECK(r.json["detail"].get<std::string>().find(Sha256Hex("claimed")) != std::string::npos);
  HttpResult match = p.Call("POST", "/v1/resource_match", json{{"resources", {{{"sha256", Sha256Hex(good)}, {"size", 4}}}}});
  CHECK(match.json["missing"].size() == 1);  // all or nothing
  CHECK(p.Send("POST", "/v1/resources", "text/plain", "x").status == 400);
  HttpResult bad_digest = p.Call("POST", "/v1/resource_match", json{{"resources", {{{"sha256", "xyz"}, {"size", 1}}}}});
  CHECK(bad_digest.status == 400);
  CHECK(bad_digest.json["detail"].get<std::string>().find("resources[0].sha256") != std::string::npos);
}

TEST_CASE("API: bodies over the limits are 413") {
  DaemonOptions options;
  options.limits.json_bytes = 1024;
  options.limits.upload_bytes = 4096;
  TestPlatform p(options);
  HttpResult big_json = p.Call("POST", "/v1/apps", json{{"name", std::string(2000, 'a')}});
  CHECK(big_json.status == 413);
  CHECK(big_json.json["code"] == "too_large");
  std::string content(8000, 'z');
  HttpResult big_upload = p.Send("POST", "/v1/resources", "application/x-tar", TarOf({{Sha256Hex(content), content}}));
  CHECK(big_upload.status == 413);
  // The server is still fine afterwards.
  CHECK(p.Call("GET", "/v1/apps").status == 200);
}

TEST_CASE("API: builds answer 503 without a stager, and builds and droplets read endpoints work") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  p.Send("POST", "/v1/resources", "application/x-tar", TarOf({{Sha256Hex("x"), "x"}}));
  std::string pkg = p.Call("POST", "/v1/apps/" + app + "/packages", json{{"files", {FileEntry("a", "x")}}}).json["guid"];
  HttpResult build = p.Call("POST", "/v1/builds", json{{"package_guid", pkg}});
  CHECK(build.status == 503);
  CHECK(build.json["code"] == "unavailable");
  CHECK(build.json["detail"] == "no stager role is running in this wharfd");
  CHECK(p.Call("POST", "/v1/builds", json{{"package_guid", "nope"}}).status == 404);
  CHECK(p.Call("POST", "/v1/apps/" + app + "/actions/restage").status == 503);
  CHECK(p.Call("GET", "/v1/apps/" + app + "/builds").json["resources"] == json::array());
  CHECK(p.Call("GET", "/v1/apps/" + app + "/droplets").json["resources"] == json::array());
  CHECK(p.Call("GET", "/v1/apps/" + app + "/droplets/current").status == 404);
  CHECK(p.Call("GET", "/v1/droplets/nope").status == 404);
  CHECK(p.Call("GET", "/v1/builds/nope").status == 404);
}

}  // namespace
}  // namespace wharf::controller
