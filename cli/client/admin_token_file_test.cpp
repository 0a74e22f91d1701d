#include "cli/client/admin_token_file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "cli/testing/temp_dir.h"

namespace wharf::cli {
namespace {

struct TokenDir {
  testing::TempDir dir;
  std::filesystem::path token;
  TokenDir() {
    token = dir.Write("admin-token", "secret-token\n");
    chmod(token.c_str(), 0600);
    dir.Write("api-port", "9022\n");
  }
};

TEST_CASE("The admin token is read from the file of the wharfd on this machine's loopback endpoint") {
  TokenDir d;
  Result<std::string> t = ReadLocalAdminToken(d.token.string(), "http://127.0.0.1:9022");
  REQUIRE(t.ok());
  CHECK(*t == "secret-token");
  CHECK(ReadLocalAdminToken(d.token.string(), "http://localhost:9022").ok());
}

TEST_CASE("A file the server names is refused unless it provably belongs to that endpoint") {
  TokenDir d;
  auto refused = [](const Result<std::string>& r, const std::string& why) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kUnauthenticated);
    CHECK(r.status().message().find(why) != std::string::npos);
    CHECK(r.status().message().find("wharf login --token TOKEN") != std::string::npos);
    CHECK(r.status().message().find("secret-token") == std::string::npos);
  };
  refused(ReadLocalAdminToken(d.token.string(), "http://192.0.2.7:9022"), "not on this machine's loopback");
  refused(ReadLocalAdminToken(d.token.string(), "http://127.0.0.1:9023"), "does not name port 9023");
  std::filesystem::path other = d.dir.Write("id_rsa", "private key\n");
  chmod(other.c_str(), 0600);
  refused(ReadLocalAdminToken(other.string(), "http://127.0.0.1:9022"), "called admin-token");
  refused(ReadLocalAdminToken("admin-token", "http://127.0.0.1:9022"), "absolute path");
  chmod(d.token.c_str(), 0644);
  refused(ReadLocalAdminToken(d.token.string(), "http://127.0.0.1:9022"), "other users may read it");
  chmod(d.token.c_str(), 0600);
  // a link named admin-token pointing elsewhere
  std::filesystem::create_directories(d.dir.path() / "sub");
  d.dir.Write("sub/api-port", "9022\n");
  std::filesystem::create_symlink(other, d.dir.path() / "sub" / "admin-token");
  refused(ReadLocalAdminToken((d.dir.path() / "sub" / "admin-token").string(), "http://127.0.0.1:9022"),
          "not a regular file");
  refused(ReadLocalAdminToken("", "http://127.0.0.1:9022"), "does not say where");
}

}  // namespace
}  // namespace wharf::cli
