#include "controller/platform/auth.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>

#include "common/event_log.h"
#include "common/file_io.h"
#include "controller/platform/bootstrap.h"
#include "controller/platform/test_support.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

using testing::TempDir;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

struct Fixture {
  TempDir dir;
  FakeClock clock;
  MemoryEventLog log;
  EventRecorder events{log, clock};
  std::unique_ptr<state::Database> db = testing::OpenMigrated(dir / "w.db", clock);
  BootstrapOptions options{dir / "admin-token", "localhost", dir / "router-token", dir / "cell-token"};

  BootstrapResult Boot() {
    auto r = Bootstrap(*db, clock, events, options);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return *r;
  }
  std::string Token() { return Trim(*ReadFile(options.admin_token_file)); }
};

TEST_CASE("Token secrets are wharf_ plus 64 hex digits and differ each time") {
  std::string a = NewTokenSecret();
  CHECK(a.size() == 6 + 64);
  CHECK(a.rfind("wharf_", 0) == 0);
  CHECK(a != NewTokenSecret());
}

TEST_CASE("ConstantTimeEquals compares whole strings") {
  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK(!ConstantTimeEquals("abc", "abd"));
  CHECK(!ConstantTimeEquals("abc", "ab"));
  CHECK(ConstantTimeEquals("", ""));
}

TEST_CASE("First start creates the admin with role admin and a private token file") {
  Fixture f;
  BootstrapResult boot = f.Boot();
  CHECK(boot.token_issued);
  CHECK(boot.admin.name == "admin");
  CHECK(boot.tenancy.org.name == "wharf");
  CHECK(boot.tenancy.space.name == "default");
  struct stat st {};
  REQUIRE(::stat(f.options.admin_token_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  Authenticator auth(*f.db, f.clock);
  auto who = auth.Authenticate("Bearer " + f.Token());
  REQUIRE_MESSAGE(who.ok(), who.status().ToString());
  CHECK(who->user.name == "admin");
  CHECK(who->HasRole("admin"));
}

TEST_CASE("The router user's token has the routing role and may only use the routing API") {
  Fixture f;
  f.Boot();
  auto text = ReadFile(f.options.router_token_file);
  REQUIRE(text.ok());
  struct stat st {};
  REQUIRE(::stat(f.options.router_token_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  Authenticator auth(*f.db, f.clock);
  auto who = auth.Authenticate("Bearer " + text->substr(0, text->find('\n')));
  REQUIRE_MESSAGE(who.ok(), who.status().ToString());
  CHECK(who->user.name == "router");
  CHECK(who->roles == std::vector<std::string>{"routing"});
  CHECK(AuthorizePath(*who, "/v1/routing/stream").ok());
  CHECK(AuthorizePath(*who, "/v1/apps").code() == StatusCode::kPermissionDenied);
  CHECK(AuthorizePath(*who, "/v1/routingx").code() == StatusCode::kPermissionDenied);
  auto admin = auth.Authenticate("Bearer " + f.Token());
  REQUIRE(admin.ok());
  CHECK(AuthorizePath(*admin, "/v1/apps").ok());
}

TEST_CASE("The cell user's token has the cell role and may only use the cells API and droplet downloads") {
  Fixture f;
  CHECK(f.Boot().cell_token_issued);
  auto text = ReadFile(f.options.cell_token_file);
  REQUIRE(text.ok());
  struct stat st {};
  REQUIRE(::stat(f.options.cell_token_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  Authenticator auth(*f.db, f.clock);
  auto who = auth.Authenticate("Bearer " + text->substr(0, text->find('\n')));
  REQUIRE_MESSAGE(who.ok(), who.status().ToString());
  CHECK(who->user.name == "cell");
  CHECK(who->roles == std::vector<std::string>{"cell"});
  CHECK(AuthorizePath(*who, "/v1/cells/cell-1").ok());
  CHECK(AuthorizePath(*who, "/v1/cells/cell-1/logs").ok());
  CHECK(AuthorizePath(*who, "/v1/droplets/d1/download").ok());
  CHECK(AuthorizePath(*who, "/v1/droplets/d1").code() == StatusCode::kPermissionDenied);
  CHECK(AuthorizePath(*who, "/v1/apps").code() == StatusCode::kPermissionDenied);
  CHECK(AuthorizePath(*who, "/v1/routing/stream").code() == StatusCode::kPermissionDenied);
  CHECK(AuthorizePath(*who, "/v1/cellsx").code() == StatusCode::kPermissionDenied);
  // A restart keeps the token; a missing file is issued again.
  CHECK_FALSE(f.Boot().cell_token_issued);
  std::filesystem::remove(f.options.cell_token_file);
  CHECK(f.Boot().cell_token_issued);
}

TEST_CASE("The database holds only the token's sha256, never the token") {
  Fixture f;
  f.Boot();
  std::string token = f.Token();
  auto hashes = f.db->Read<std::vector<std::string>>([](state::Tx& tx) {
    return state::FetchAll<std::string>(tx.Query("SELECT token_hash FROM tokens"),
                                        [](state::Statement& st) { return Result<std::string>(st.Text(0)); });
  });
  REQUIRE(hashes->size() == 3);  // the admin's, the router user's and the cell user's
  CHECK(std::find(hashes->begin(), hashes->end(), HashTokenSecret(token)) != hashes->end());
  for (const char* file : {"w.db", "w.db-wal"}) {
    auto bytes = ReadFile(f.dir / file);
    if (bytes.ok()) CHECK_MESSAGE(bytes->find(token) == std::string::npos, file);
  }
  for (const std::string& line : f.log.Lines()) CHECK(line.find(token) == std::string::npos);
}

TEST_CASE("A restart keeps the admin token and leaves its file alone") {
  Fixture f;
  f.Boot();
  std::string first = f.Token();
  BootstrapResult again = f.Boot();
  CHECK(!again.token_issued);
  CHECK(!again.router_token_issued);
  CHECK(!again.cell_token_issued);
  CHECK(f.Token() == first);
  auto count =
      f.db->Read<std::int64_t>([](state::Tx& tx) { return state::FetchInt(tx.Query("SELECT COUNT(*) FROM tokens")); });
  CHECK(*count == 3);  // the admin's, the router user's and the cell user's, not one more
  Authenticator auth(*f.db, f.clock);
  CHECK(auth.Authenticate("Bearer " + first).ok());
}

TEST_CASE("A lost admin token file is replaced by a new token") {
  Fixture f;
  f.Boot();
  std::string first = f.Token();
  std::filesystem::remove(f.options.admin_token_file);
  BootstrapResult again = f.Boot();
  CHECK(again.token_issued);
  CHECK(f.Token() != first);
  Authenticator auth(*f.db, f.clock);
  CHECK(auth.Authenticate("Bearer " + f.Token()).ok());
}

TEST_CASE("Authenticate refuses a missing, malformed or unknown token without echoing it") {
  Fixture f;
  f.Boot();
  Authenticator auth(*f.db, f.clock);
  for (std::string header : {std::string(""), std::string("Basic abc"), std::string("Bearer "),
                             std::string("Bearer wharf_0000"), std::string("Bearer not-a-wharf-token"),
                             "Bearer " + NewTokenSecret(), "Bearer " + f.Token() + "x"}) {
    CAPTURE(header);
    auto who = auth.Authenticate(header);
    REQUIRE(!who.ok());
    CHECK(who.status().code() == StatusCode::kUnauthenticated);
    if (header.size() > 7) CHECK(who.status().message().find(header.substr(7)) == std::string::npos);
  }
}

TEST_CASE("Authenticate accepts the Bearer scheme in any case") {
  Fixture f;
  f.Boot();
  Authenticator auth(*f.db, f.clock);
  CHECK(auth.Authenticate("bearer " + f.Token()).ok());
  CHECK(auth.Authenticate("BEARER " + f.Token()).ok());
}

TEST_CASE("Authenticate records when a token was last used, at most once a minute") {
  Fixture f;
  f.Boot();
  Authenticator auth(*f.db, f.clock);
  auto last_used = [&] {
    auto v = f.db->Read<std::string>([](state::Tx& tx) -> Result<std::string> {
      auto r = state::FetchOne<std::string>(tx.Query("SELECT IFNULL(last_used_at, '') FROM tokens"),
                                            [](state::Statement& st) { return Result<std::string>(st.Text(0)); });
      if (!r.ok()) return r.status();
      return **r;
    });
    return *v;
  };
  CHECK(last_used().empty());
  REQUIRE(auth.Authenticate("Bearer " + f.Token()).ok());
  std::string t1 = last_used();
  CHECK(t1 == FormatRfc3339(f.clock.Now()));
  f.clock.Advance(std::chrono::seconds(30));
  REQUIRE(auth.Authenticate("Bearer " + f.Token()).ok());
  CHECK(last_used() == t1);
  f.clock.Advance(std::chrono::seconds(31));
  REQUIRE(auth.Authenticate("Bearer " + f.Token()).ok());
  CHECK(last_used() == FormatRfc3339(f.clock.Now()));
}

TEST_CASE("Bootstrap creates the shared domain once and adds a new --domain later") {
  Fixture f;
  f.Boot();
  f.Boot();
  f.options.shared_domain = "apps.example.com";
  f.Boot();
  auto names = f.db->Read<std::vector<std::string>>([](state::Tx& tx) {
    return state::FetchAll<std::string>(tx.Query("SELECT name FROM domains ORDER BY id"),
                                        [](state::Statement& st) { return Result<std::string>(st.Text(0)); });
  });
  CHECK(*names == std::vector<std::string>{"localhost", "apps.internal", "apps.example.com"});
}

}  // namespace
}  // namespace wharf::controller
