#include "cli/client/api_client.h"

#include <atomic>
#include <thread>

#include <doctest/doctest.h>

#include "cli/testing/test_wharfd.h"
#include "cli/testing/temp_dir.h"

namespace wharf::cli {
namespace {

using nlohmann::json;
using testing::TestWharfd;

std::unique_ptr<ApiClient> Client(const TestWharfd& server, std::optional<std::string> token = std::nullopt) {
  return ApiClient::Create(server.url(), token ? *token : server.token()).value();
}

TEST_CASE("StatusFromErrorResponse maps the API's code and detail") {
  Status s = StatusFromErrorResponse(404, "Not Found", R"({"code":"not_found","title":"Not Found","detail":"app 'web' not found"})");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message() == "app 'web' not found");
  Status u = StatusFromErrorResponse(503, "Service Unavailable", R"({"code":"unavailable","title":"Unavailable"})");
  CHECK(u.code() == StatusCode::kUnavailable);
  CHECK(u.message() == "Unavailable");
  Status plain = StatusFromErrorResponse(502, "Bad Gateway", "<html>");
  CHECK(plain.code() == StatusCode::kUnavailable);
  CHECK(plain.message() == "wharfd answered HTTP 502 Bad Gateway");
  Status auth = StatusFromErrorResponse(401, "Unauthorized", R"({"code":"unauthenticated","detail":"bad token"})");
  CHECK(auth.message() == "bad token (log in with 'wharf login')");
}

TEST_CASE("ApiClient sends the token, parses JSON and reuses one connection") {
  TestWharfd server;
  auto api = Client(server);
  Result<json> who = api->Get("/v1/whoami");
  REQUIRE(who.ok());
  CHECK((*who)["user"]["name"] == "admin");
  Result<json> app = api->Post("/v1/apps", json{{"name", "web"}});
  REQUIRE(app.ok());
  CHECK((*app)["name"] == "web");
  Result<json> again = api->Post("/v1/apps", json{{"name", "web"}});
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == StatusCode::kConflict);
  Result<json> deleted = api->Delete("/v1/apps/" + (*app)["guid"].get<std::string>());
  REQUIRE(deleted.ok());
  CHECK(deleted->is_null());
}

TEST_CASE("ApiClient maps a bad token to kUnauthenticated") {
  TestWharfd server;
  auto api = Client(server, "wrong");
  Result<json> r = api->Get("/v1/apps");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("ApiClient::GetAll follows every page") {
  TestWharfd server;
  server.proxy().set_page_size_cap(2);
  auto api = Client(server);
  for (int i = 0; i < 5; ++i) REQUIRE(api->Post("/v1/apps", json{{"name", "app" + std::to_string(i)}}).ok());
  Result<std::vector<json>> all = api->GetAll("/v1/apps");
  REQUIRE(all.ok());
  CHECK(all->size() == 5);
  int pages = 0;
  for (const std::string& r : server.requests()) pages += r.starts_with("GET /v1/apps") ? 1 : 0;
  CHECK(pages == 3);
}

TEST_CASE("ApiClient names a refused connection") {
  auto api = ApiClient::Create("http://127.0.0.1:1", "t").value();
  Result<json> r = api->Get("/v1/info");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(r.status().message() == "cannot reach wharfd at http://127.0.0.1:1: is it running? (wharf api URL)");
}

TEST_CASE("ApiClient names an answer that is not wharfd's own, and the next call goes through") {
  TestWharfd server;
  server.proxy().FailNext("/v1/apps", 502, "<html>bad gateway</html>");
  auto api = Client(server);
  Result<json> failed = api->Get("/v1/apps");
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().code() == StatusCode::kUnavailable);
  CHECK(failed.status().message() == "wharfd answered HTTP 502 Bad Gateway");
  CHECK(api->Get("/v1/apps").ok());
}

// The log stream sends the lines appended after it connected: this writes "one",
// "two" every 20 ms until stopped, so a reader sees both whenever it connects.
class LogWriter {
 public:
  LogWriter(TestWharfd& server, std::string guid)
      : thread_([&server, guid = std::move(guid), this] {
          while (!stop_) {
            server.AddLogLine(guid, "APP/PROC/WEB/0", "one");
            server.AddLogLine(guid, "APP/PROC/WEB/0", "two");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }) {}
  ~LogWriter() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_CASE("ApiClient::StreamJsonLines reads lines until the caller stops") {
  TestWharfd server;
  auto api = Client(server);
  std::string guid = (*api->Post("/v1/apps", json{{"name", "web"}}))["guid"];
  LogWriter writer(server, guid);
  std::vector<std::string> got;
  Status s = api->StreamJsonLines("/v1/apps/" + guid + "/logs/stream", [&](const json& line) {
    got.push_back(line["message"]);
    return !(got.size() >= 2 && got[got.size() - 2] == "one" && got.back() == "two");
  });
  CHECK(s.ok());
  CHECK(got.back() == "two");
  CHECK(api->Get("/v1/whoami").ok());  // the client is usable afterwards
}

TEST_CASE("ApiClient::Abort ends a stream read on another thread") {
  TestWharfd server;
  auto api = Client(server);
  auto reader = Client(server);
  std::string guid = (*api->Post("/v1/apps", json{{"name", "web"}}))["guid"];
  std::atomic<int> lines{0};
  std::thread t([&] {
    Status s = reader->StreamJsonLines("/v1/apps/" + guid + "/logs/stream", [&](const json&) {
      ++lines;
      return true;
    });
    CHECK(s.ok());
  });
  {
    LogWriter writer(server, guid);
    while (lines.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reader->Abort();
  t.join();  // returns only because Abort ended the read
  CHECK(lines.load() >= 1);
}

TEST_CASE("ApiClient::PostFile streams a file and reports progress") {
  TestWharfd server;
  testing::TempDir dir;
  auto api = Client(server);
  std::uint64_t last = 0;
  Result<json> r = api->PostFile("/v1/resource_match", "application/json",
                                 dir.Write("body.json", R"({"resources":[{"sha256":")" + std::string(64, 'a') + R"(","size":1}]})"),
                                 [&](std::uint64_t sent, std::uint64_t total) {
                                   CHECK(sent <= total);
                                   last = sent;
                                 });
  REQUIRE(r.ok());
  CHECK((*r)["missing"].size() == 1);
  CHECK(last == 102);
}

TEST_CASE("ApiClient::Escape encodes query values") {
  CHECK(ApiClient::Escape("a b,c&d") == "a%20b%2Cc%26d");
}

}  // namespace
}  // namespace wharf::cli
