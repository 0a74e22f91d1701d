// The wharf program as a user sees it: exit codes, usage errors, help, and
// each non-push command against the real wharfd API.
#include "cli/commands/cli.h"

#include <sys/stat.h>

#include <doctest/doctest.h>

#include "cli/client/config.h"
#include "cli/testing/cli_harness.h"

namespace wharf::cli {
namespace {

using nlohmann::json;
using testing::CliHarness;
using testing::Has;

// Pushes a one-file app named `name` with --no-start so commands have something to work on.
void PushApp(CliHarness& h, const std::string& name) {
  h.home.Write("src/" + name + "/index.html", "hello " + name);
  REQUIRE(h.Run({"push", name, "-p", (h.home.path() / "src" / name).string(), "--no-start"}) == 0);
}

TEST_CASE("An unknown command is a usage error with exit code 2") {
  CliHarness h;
  CHECK(h.Run({"pussh"}) == 2);
  CHECK(Has(h.Err(), "'pussh' is not a wharf command"));
  CHECK(Has(h.Err(), "Run 'wharf help'"));
}

TEST_CASE("Unknown flags and missing arguments print the usage line and exit 2") {
  CliHarness h;
  CHECK(h.Run({"app"}) == 2);
  CHECK(Has(h.Err(), "Incorrect Usage: the required argument APP_NAME was not provided"));
  CHECK(Has(h.Err(), "USAGE:\n   wharf app APP_NAME"));
  CHECK(Has(h.Err(), "Run 'wharf help app'"));
  CHECK(h.Run({"apps", "--colour"}) == 2);
  CHECK(Has(h.Err(), "unknown flag '--colour'"));
  CHECK(h.Run({"set-env", "web", "A"}) == 2);
  CHECK(h.Run({"delete", "a", "b"}) == 2);
  CHECK(Has(h.Err(), "unexpected argument 'b'"));
  CHECK(h.Run({"push", "web", "-m", "lots"}) == 2);
  CHECK(Has(h.Err(), "Incorrect Usage: -m: size 'lots'"));
  CHECK(h.server.mutations().empty());
}

TEST_CASE("help lists the commands and help COMMAND, COMMAND --help and aliases show cf-style help") {
  CliHarness h;
  CHECK(h.Run({}) == 0);
  CHECK(Has(h.Out(), "push, p"));
  CHECK(h.Run({"help"}) == 0);
  CHECK(Has(h.Out(), "delete-route"));
  CHECK(h.Run({"help", "push"}) == 0);
  CHECK(Has(h.Out(), "NAME:\n   push - Push a new app"));
  CHECK(Has(h.Out(), "ALIAS:\n   p\n"));
  CHECK(Has(h.Out(), "--random-route"));
  std::string help = h.Out();
  CHECK(h.Run({"p", "--help"}) == 0);
  CHECK(h.Out() == help);
  for (const char* command : {"api", "login", "logout", "push", "apps", "app", "delete", "start", "stop", "restart",
                              "restage", "env", "set-env", "unset-env", "events", "logs", "routes", "domains",
                              "create-domain", "map-route", "unmap-route", "delete-route", "version"}) {
    CAPTURE(command);
    CHECK(h.Run({command, "--help"}) == 0);
    CHECK(Has(h.Out(), "USAGE:"));
  }
  CHECK(h.Run({"help", "nope"}) == 2);
}

TEST_CASE("The cf aliases run their commands") {
  CliHarness h;
  for (const char* alias : {"a", "p", "d", "st", "sp", "rs", "rg", "e", "se", "ue", "r"}) {
    CAPTURE(alias);
    CHECK(h.Run({alias, "--help"}) == 0);
  }
}

TEST_CASE("version prints the version") {
  CliHarness h;
  CHECK(h.Run({"version"}) == 0);
  CHECK(Has(h.Out(), "wharf version "));
  CHECK(h.Run({"--version"}) == 0);
}

TEST_CASE("Commands without a target or a token say how to set them") {
  CliHarness h(false);
  CHECK(h.Run({"apps"}) == 1);
  CHECK(Has(h.Err(), "no API endpoint set; use 'wharf api URL'"));
  CHECK(Has(h.Err(), "FAILED"));
  h.env.Set("WHARF_API", h.server.url());
  CHECK(h.Run({"apps"}) == 1);
  CHECK(Has(h.Err(), "not logged in; use 'wharf login'"));
}

TEST_CASE("A wharfd that is not running is named in the error") {
  CliHarness h;
  h.env.Set("WHARF_API", "http://127.0.0.1:1");
  CHECK(h.Run({"apps"}) == 1);
  CHECK(Has(h.Err(), "cannot reach wharfd at http://127.0.0.1:1: is it running? (wharf api URL)"));
}

TEST_CASE("A failing wharfd fails the command with its status, and nothing is changed") {
  CliHarness h;
  h.server.proxy().FailNext("/v1/apps", 503, "<html>overloaded</html>");
  CHECK(h.Run({"apps"}) == 1);
  CHECK(Has(h.Err(), "wharfd answered HTTP 503"));
  CHECK(h.Run({"apps"}) == 0);
}

TEST_CASE("api URL checks /v1/info before saving, and the config file is 0600") {
  CliHarness h(false);
  CHECK(h.Run({"api", "http://127.0.0.1:1"}) == 1);
  std::filesystem::path file = h.home.path() / "wharf-home" / "config";
  CHECK_FALSE(std::filesystem::exists(file));
  CHECK(h.Run({"api", h.server.url() + "/"}) == 0);
  CHECK(Has(h.Out(), "API endpoint:   " + h.server.url()));
  CHECK(Has(h.Out(), "Not logged in"));
  Config c = LoadConfigFile(file).value();
  CHECK(c.api == h.server.url());
  struct stat st{};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(h.Run({"api"}) == 0);
  CHECK(Has(h.Out(), "API version:    v1"));
}

TEST_CASE("login reads the admin token file named by /v1/info, verifies it and never prints it") {
  CliHarness h(false);
  // The token file sits beside the daemon's api-port file, which names the daemon's own port: the CLI
  // trusts it only for that URL, so this test talks to the daemon itself.
  const std::string url = h.server.direct_url();
  const std::string token = h.server.token();
  CHECK(h.Run({"login", "-a", url}) == 0);
  CHECK(Has(h.Out(), "User: admin"));
  CHECK_FALSE(Has(h.Out() + h.Err(), token));
  Config c = LoadConfigFile(h.home.path() / "wharf-home" / "config").value();
  CHECK(c.token == token);
  CHECK(c.user == "admin");
  CHECK(h.Run({"apps"}) == 0);
  CHECK(Has(h.Out(), "Getting apps as admin..."));
  CHECK(h.Run({"logout"}) == 0);
  CHECK(LoadConfigFile(h.home.path() / "wharf-home" / "config").value().token.empty());
}

TEST_CASE("login without a usable token file explains how to pass --token") {
  CliHarness h(false);
  // Through the proxy, the api-port file beside the token names another port: the file is not trusted.
  CHECK(h.Run({"login", "-a", h.server.url()}) == 1);
  CHECK(Has(h.Err(), "wharf login --token TOKEN"));
  CHECK(h.Run({"login", "--token", "wrong"}) == 1);
  CHECK(Has(h.Err(), "rejected the token"));
  CHECK(h.Run({"login", "--token", h.server.token()}) == 0);
}

TEST_CASE("WHARF_TOKEN overrides the token in the config file") {
  CliHarness h(false);
  REQUIRE(SaveConfigFile(h.home.path() / "wharf-home" / "config", Config{h.server.url(), "stale", "someone"}).ok());
  CHECK(h.Run({"apps"}) == 1);
  CHECK(Has(h.Err(), "log in with 'wharf login'"));
  h.env.Set("WHARF_TOKEN", h.server.token());
  CHECK(h.Run({"apps"}) == 0);
  CHECK(Has(h.Out(), "Getting apps..."));
}

TEST_CASE("apps shows an aligned table, follows pages, and --json prints the resources") {
  CliHarness h;
  CHECK(h.Run({"apps"}) == 0);
  CHECK(Has(h.Out(), "No apps found"));
  PushApp(h, "web");
  PushApp(h, "api");
  PushApp(h, "worker");
  h.server.proxy().set_page_size_cap(1);
  CHECK(h.Run({"apps"}) == 0);
  CHECK(Has(h.Out(),
            "name     requested state   processes   routes\n"
            "api      stopped           web:0/1     api.localhost\n"
            "web      stopped           web:0/1     web.localhost\n"
            "worker   stopped           web:0/1     worker.localhost\n"));
  CHECK(h.Run({"apps", "--json"}) == 0);
  json apps = json::parse(h.Out());
  REQUIRE(apps.size() == 3);
  CHECK(apps[0]["name"] == "api");
}

TEST_CASE("cells lists the cells on other hosts, --json the resources") {
  CliHarness h;
  CHECK(h.Run({"cells"}) == 0);
  CHECK(Has(h.Out(), "No cells found"));
  // A heartbeat as a cell sends it (admins may send one too).
  h.server.Call("PUT", "/v1/cells/cell-1",
                json{{"cell_id", "cell-1"},
                     {"zone", "z1"},
                     {"address", "10.0.0.11"},
                     {"capacity", {{"memory_mb", 4096}, {"disk_mb", 8192}, {"instances", 20}}}});
  CHECK(h.Run({"cells"}) == 0);
  CHECK(Has(h.Out(), "Getting cells"));
  CHECK(Has(h.Out(), "cell-1"));
  CHECK(Has(h.Out(), "alive"));
  CHECK(Has(h.Out(), "0/4096 MB"));
  CHECK(Has(h.Out(), "0/20"));
  CHECK(h.Run({"cells", "--json"}) == 0);
  json cells = json::parse(h.Out());
  REQUIRE(cells.size() == 1);
  CHECK(cells[0]["id"] == "cell-1");
  CHECK(cells[0]["zone"] == "z1");
  CHECK(h.Run({"cells", "--help"}) == 0);
  CHECK(Has(h.Out(), "--cell-timeout"));
}

TEST_CASE("app shows the summary, --json the resource, and a missing app fails") {
  CliHarness h;
  PushApp(h, "web");
  CHECK(h.Run({"app", "web"}) == 0);
  CHECK(Has(h.Out(), "name:              web\n"));
  CHECK(Has(h.Out(), "requested state:   stopped\n"));
  CHECK(Has(h.Out(), "routes:            web.localhost\n"));
  CHECK(Has(h.Out(), "last uploaded:     20"));
  CHECK(Has(h.Out(), "type:            web\n"));
  CHECK(Has(h.Out(), "There are no running instances of this process."));
  CHECK(h.Run({"app", "web", "--json"}) == 0);
  CHECK(json::parse(h.Out())["name"] == "web");
  CHECK(h.Run({"app", "ghost"}) == 1);
  CHECK(Has(h.Err(), "app 'ghost' not found"));
}

TEST_CASE("start without a droplet shows the API's reason, and stop of a stopped app is OK") {
  CliHarness h;
  PushApp(h, "web");
  CHECK(h.Run({"start", "web"}) == 1);
  CHECK(Has(h.Err(), "app 'web' has no droplet; push or restage it"));
  CHECK(h.Run({"stop", "web"}) == 0);
  CHECK(Has(h.Out(), "is already stopped"));
}

TEST_CASE("restage needs a stager, and with one it stages, then starts the app") {
  CliHarness h;
  PushApp(h, "web");
  CHECK(h.Run({"restage", "web"}) == 1);
  CHECK(Has(h.Err(), "staging is not available in this wharfd yet"));
  h.server.EnableStaging();
  CHECK(h.Run({"rg", "web"}) == 0);
  CHECK(Has(h.Out(), "Staging app and tracing logs..."));
  CHECK(h.server.app("web").value()["state"] == "STARTED");
  CHECK(h.Run({"restart", "web"}) == 0);
  CHECK(Has(h.Out(), "Restarting app web..."));
  CHECK(h.Run({"stop", "web"}) == 0);
  CHECK(h.server.app("web").value()["state"] == "STOPPED");
  CHECK(h.Run({"start", "web"}) == 0);
  CHECK(Has(h.Out(), "start command:   node server.js"));
}

TEST_CASE("delete asks on a terminal, refuses without one unless -f, and -r deletes routes") {
  CliHarness h;
  PushApp(h, "web");
  CHECK(h.Run({"delete", "web"}) == 1);
  CHECK(Has(h.Err(), "pass -f"));
  CHECK(h.server.app("web").has_value());
  h.stdin_is_tty = true;
  h.in.str("n\n");
  CHECK(h.Run({"delete", "web"}) == 0);
  CHECK(Has(h.Out(), "Really delete the app web? [yN]"));
  CHECK(h.server.app("web").has_value());
  h.in.str("y\n");
  CHECK(h.Run({"delete", "web", "-r"}) == 0);
  CHECK_FALSE(h.server.app("web").has_value());
  bool recursive = false;
  for (const std::string& r : h.server.requests()) recursive = recursive || (r.starts_with("DELETE /v1/apps/") && r.ends_with("?recursive=true"));
  CHECK(recursive);
  CHECK(h.Run({"d", "web", "-f"}) == 0);
  CHECK(Has(h.Out(), "App 'web' does not exist."));
}

TEST_CASE("set-env, env and unset-env manage user-provided variables like cf") {
  CliHarness h;
  PushApp(h, "web");
  CHECK(h.Run({"set-env", "web", "GREETING", "s3cr3t-value"}) == 0);
  CHECK(Has(h.Out(), "Setting env variable GREETING for app web...\nOK\n"));
  CHECK(Has(h.Out(), "TIP: Use 'wharf restage web' to ensure your env variable changes take effect."));
  CHECK_FALSE(Has(h.Out(), "s3cr3t-value"));
  CHECK(h.Run({"env", "web"}) == 0);
  CHECK(Has(h.Out(), "System-Provided:\nVCAP_SERVICES: {}\n"));
  CHECK(Has(h.Out(), "User-Provided:\nGREETING: s3cr3t-value\n"));
  CHECK(h.Run({"env", "web", "--json"}) == 0);
  CHECK(json::parse(h.Out())["environment_variables"]["GREETING"] == "s3cr3t-value");
  CHECK(h.Run({"unset-env", "web", "GREETING"}) == 0);
  CHECK(Has(h.Out(), "OK\nTIP:"));
  CHECK(h.Run({"unset-env", "web", "GREETING"}) == 0);
  CHECK(Has(h.Out(), "Env variable GREETING was not set."));
  CHECK(h.Run({"set-env", "web", "1BAD", "x"}) == 1);
}

TEST_CASE("logs --recent prints cf-format lines, events a table") {
  CliHarness h;
  PushApp(h, "web");
  std::string guid = h.server.app("web").value()["guid"];
  h.server.AddLogLine(guid, "APP/PROC/WEB/0", "listening on 8080");
  CHECK(h.Run({"logs", "web", "--recent"}) == 0);
  CHECK(Has(h.Out(), "+0000 [APP/PROC/WEB/0] OUT listening on 8080\n"));
  CHECK(h.Run({"logs", "web", "--recent", "--json"}) == 0);
  json lines = json::parse(h.Out());
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.back()["source"] == "APP/PROC/WEB/0");
  CHECK(h.Run({"events", "web"}) == 0);
  CHECK(Has(h.Out(), "time                   event"));
  CHECK(Has(h.Out(), "app-created"));
  CHECK(h.Run({"events", "web", "--json"}) == 0);
  json events = json::parse(h.Out());
  REQUIRE_FALSE(events.empty());
  CHECK(events.back()["type"] == "app-created");
}

TEST_CASE("domains, create-domain, map-route, unmap-route, routes and delete-route") {
  CliHarness h;
  PushApp(h, "web");
  CHECK(h.Run({"create-domain", "example.com"}) == 0);
  CHECK(h.Run({"create-domain", "example.com"}) == 0);
  CHECK(Has(h.Out(), "already exists"));
  CHECK(h.Run({"create-domain", "Bad_Domain"}) == 1);
  CHECK(h.Run({"domains"}) == 0);
  INFO(h.Out());
  CHECK(Has(h.Out(), "name            availability   internal\nlocalhost       shared\n"
                     "apps.internal   shared         true\nexample.com     private\n"));
  CHECK(h.Run({"map-route", "web", "example.com", "--hostname", "shop", "--path", "/api"}) == 0);
  CHECK(Has(h.Out(), "Created route shop.example.com/api\nMapping route shop.example.com/api to app web..."));
  CHECK(h.Run({"map-route", "web", "example.com", "-n", "shop", "--path", "/api"}) == 0);
  CHECK(Has(h.Out(), "is already mapped"));
  CHECK(h.Run({"map-route", "web", "nowhere.org"}) == 1);
  CHECK(Has(h.Err(), "domain 'nowhere.org' not found"));
  CHECK(h.Run({"routes"}) == 0);
  CHECK(Has(h.Out(), "host   domain        path   apps   options\n"));
  CHECK(Has(h.Out(), "shop   example.com   /api   web\n"));
  CHECK(h.Run({"routes", "--json"}) == 0);
  CHECK(json::parse(h.Out()).size() == 2);
  CHECK(h.Run({"unmap-route", "web", "example.com", "--hostname", "shop", "--path", "/api"}) == 0);
  CHECK(h.server.app("web").value()["routes"] == json{"web.localhost"});
  CHECK(h.Run({"delete-route", "example.com", "--hostname", "shop", "--path", "/api"}) == 1);
  CHECK(Has(h.Err(), "pass -f"));
  CHECK(h.Run({"delete-route", "example.com", "--hostname", "shop", "--path", "/api", "-f"}) == 0);
  CHECK(h.server.routes().size() == 1);
  CHECK(h.Run({"delete-route", "example.com", "--hostname", "shop", "-f"}) == 0);
  CHECK(Has(h.Out(), "does not exist"));
}

TEST_CASE("scale and restart-app-instance refuse bad values before calling the API, naming the flag") {
  CliHarness h;
  CHECK(h.Run({"scale", "web", "-m", "lots"}) == 1);
  CHECK(Has(h.Err(), "-m: "));
  CHECK(h.Run({"scale", "web", "-k", "12X"}) == 1);
  CHECK(Has(h.Err(), "-k: "));
  CHECK(h.Run({"scale", "web", "-i", "-2"}) == 1);
  CHECK(Has(h.Err(), "-i: the number of instances must be 0 or more, not -2"));
  CHECK(h.Run({"restart-app-instance", "web", "first"}) == 1);
  CHECK(Has(h.Err(), "INDEX must be a number 0 or more, not 'first'"));
  CHECK(h.Run({"scale", "ghost", "-i", "2"}) == 1);
  CHECK(Has(h.Err(), "ghost"));
}

}  // namespace
}  // namespace wharf::cli

namespace wharf::cli {
namespace {

TEST_CASE("ssh-enabled, disable-ssh and enable-ssh, ssh says why it cannot enter") {
  testing::CliHarness h;
  PushApp(h, "web");
  CHECK(h.Run({"ssh-enabled", "web"}) == 0);
  CHECK(testing::Has(h.Out(), "ssh support is enabled for app 'web'."));
  CHECK(h.Run({"disable-ssh", "web"}) == 0);
  CHECK(testing::Has(h.Out(), "Disabling ssh support for app web"));
  CHECK(h.Run({"ssh-enabled", "web"}) == 0);
  CHECK(testing::Has(h.Out(), "ssh support is disabled for app 'web'."));
  CHECK(h.Run({"ssh", "web", "-c", "true"}) == 1);
  CHECK(testing::Has(h.Err(), "ssh is disabled for app 'web' (enable it with: wharf enable-ssh web)"));
  CHECK(h.Run({"enable-ssh", "web"}) == 0);
  // The harness's recording proxy does not tunnel upgrades: the CLI names the failed handshake
  // (e2e test_ssh drives the relay against the real wharfd).
  CHECK(h.Run({"ssh", "web", "-c", "true"}) == 1);
  CHECK_MESSAGE(testing::Has(h.Err(), "wharfd did not open the WebSocket"), h.Err());
  CHECK(h.Run({"ssh", "web", "-i", "-1"}) == 2);
  CHECK(h.Run({"ssh", "web", "-T", "--force-pseudo-tty"}) == 2);
  CHECK(h.Run({"ssh", "nope"}) == 1);
  CHECK(testing::Has(h.Err(), "app 'nope' not found"));
}

}  // namespace
}  // namespace wharf::cli
