// create-user, login -u, the CLI's own refresh of an expiring login, passwd and logout, against the
// real daemon in-process (cli/testing/test_wharfd.h).
#include <doctest/doctest.h>

#include <sstream>

#include "api-model/platform/info.h"
#include "cli/client/api_client.h"
#include "cli/client/config.h"
#include "cli/commands/cli.h"
#include "cli/testing/cli_harness.h"

namespace wharf::cli {
namespace {

using testing::CliHarness;
using testing::Has;

// Whether wharfd still takes `token`.
bool Accepted(const std::string& url, const std::string& token) {
  auto client = ApiClient::Create(url, token);
  REQUIRE(client.ok());
  return (*client)->GetAs<api::Whoami>("/v1/whoami").ok();
}

TEST_CASE("A user an admin created logs in with a password, wharf renews the expiring token, and passwd and logout end logins") {
  CliHarness h(false);
  const std::filesystem::path file = h.home.path() / "wharf-home" / "config";
  const std::string url = h.server.url();
  REQUIRE(h.Run({"login", "-a", url, "--token", h.server.token()}) == 0);
  REQUIRE(h.Run({"create-user", "ada", "analytical-engine"}) == 0);
  CHECK(Has(h.Out(), "wharf login -u ada"));
  CHECK(h.Run({"create-user", "ada", "another-password"}) == 1);
  CHECK(Has(h.Err(), "user 'ada' already exists"));
  REQUIRE(h.Run({"users"}) == 0);
  CHECK(Has(h.Out(), "ada "));
  CHECK(Has(h.Out(), "password"));

  CHECK(h.Run({"login", "-u", "ada", "-p", "wrong-password"}) == 1);
  CHECK(Has(h.Err(), "wrong user name or password"));
  h.in.str("analytical-engine\n");  // no terminal: the password is read from standard input
  REQUIRE(h.Run({"login", "-u", "ada"}) == 0);
  CHECK(Has(h.Out(), "User: ada"));
  CHECK_FALSE(Has(h.Out() + h.Err(), "analytical-engine"));
  Config c = LoadConfigFile(file).value();
  CHECK(c.user == "ada");
  CHECK_FALSE(c.refresh_token.empty());
  CHECK(c.token_expires_at > 0);
  REQUIRE(h.Run({"apps"}) == 0);
  CHECK(Has(h.Out(), "as ada"));
  CHECK(h.Run({"users"}) == 1);  // not an admin
  CHECK(Has(h.Err(), "needs the admin role"));

  // An access token about to expire is renewed before the command, and the new pair saved.
  const std::string first = c.token;
  const std::string first_refresh = c.refresh_token;
  c.token_expires_at = std::chrono::duration_cast<std::chrono::seconds>(h.clock.Now().time_since_epoch()).count() + 10;
  REQUIRE(SaveConfigFile(file, c).ok());
  REQUIRE(h.Run({"apps"}) == 0);
  Config renewed = LoadConfigFile(file).value();
  CHECK(renewed.token != first);
  CHECK(renewed.refresh_token != first_refresh);
  CHECK(renewed.token_expires_at > c.token_expires_at);
  CHECK_FALSE(Accepted(url, first));
  CHECK(Accepted(url, renewed.token));

  // One command refreshes once: a second connection opened later in it (a push's log stream) uses
  // the same tokens, not a new pair that would revoke the first connection's.
  {
    Config soon = renewed;
    soon.token_expires_at = 1;
    REQUIRE(SaveConfigFile(file, soon).ok());
    std::istringstream in;
    std::ostringstream out, err;
    Terminal term{in, out, err, false, false};
    CliContext ctx(term, h.env, h.clock, h.home.path());
    auto main_connection = ctx.Api();
    REQUIRE_MESSAGE(main_connection.ok(), main_connection.status().ToString());
    h.clock.Advance(std::chrono::seconds(3590));  // a long command: the new token nears its end too
    auto second = ctx.NewConnection();
    REQUIRE(second.ok());
    CHECK((*main_connection)->GetAs<api::Whoami>("/v1/whoami").ok());
    CHECK((*second)->GetAs<api::Whoami>("/v1/whoami").ok());
    renewed = LoadConfigFile(file).value();
    CHECK(Accepted(url, renewed.token));
  }

  // A refresh token that no longer works asks for a new login.
  Config broken = renewed;
  broken.token_expires_at = 1;
  broken.refresh_token = first_refresh;  // used up already
  REQUIRE(SaveConfigFile(file, broken).ok());
  CHECK(h.Run({"apps"}) == 1);
  CHECK(Has(h.Err(), "your login as ada expired; log in again with 'wharf login -u ada'"));
  REQUIRE(SaveConfigFile(file, renewed).ok());

  // passwd: the current password, then the new one twice; every login ends.
  h.in.str("analytical-engine\nnew-password-1\nnew-password-2\n");
  CHECK(h.Run({"passwd"}) == 1);
  CHECK(Has(h.Err(), "do not match"));
  h.in.str("analytical-engine\nnew-password-1\nnew-password-1\n");
  REQUIRE(h.Run({"passwd"}) == 0);
  CHECK_FALSE(Accepted(url, renewed.token));
  REQUIRE(h.Run({"login", "-u", "ada", "-p", "new-password-1"}) == 0);
  const std::string session = LoadConfigFile(file).value().token;
  CHECK(Accepted(url, session));
  REQUIRE(h.Run({"logout"}) == 0);
  CHECK_FALSE(Accepted(url, session));  // ended on wharfd, not only forgotten here
  Config out = LoadConfigFile(file).value();
  CHECK(out.token.empty());
  CHECK(out.refresh_token.empty());

  REQUIRE(h.Run({"login", "--token", h.server.token()}) == 0);
  REQUIRE(h.Run({"delete-user", "ada", "-f"}) == 0);
  CHECK(h.Run({"login", "-u", "ada", "-p", "new-password-1"}) == 1);
}

}  // namespace
}  // namespace wharf::cli
