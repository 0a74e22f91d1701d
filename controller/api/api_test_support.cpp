#include "controller/api/api_test_support.h"

#include "state/platform/user_store.h"

#include <doctest/doctest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <sstream>

#include "common/file_io.h"
#include "controller/platform/auth.h"

namespace wharf::controller::testing {

TestPlatform::TestPlatform(DaemonOptions options, Config config) : options_(options), config_(std::move(config)) {
  config_.data_dir = data_dir_.path() / "data";
  config_.stacks_dir = data_dir_.path() / "stacks";  // not the machine's: tests choose their stacks
  config_.api_port = 0;
  Start();
}

TestPlatform::~TestPlatform() { Stop(); }

void TestPlatform::AddStack(const std::string& name, const nlohmann::json& description) {
  std::filesystem::create_directories(config_.stacks_dir / name / "rootfs" / "usr");
  REQUIRE(WriteFileAtomic(config_.stacks_dir / name / "stack.json", description.dump()).ok());
}

void TestPlatform::Start() {
  auto d = Daemon::Start(config_, clock_, options_);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  daemon_ = std::move(d).value();
  port_ = daemon_->api_port();
  REQUIRE(port_ != 0);
}

void TestPlatform::Stop() {
  if (daemon_) daemon_->Stop(std::chrono::seconds(2));
  daemon_.reset();
}

std::string TestPlatform::token() const {
  auto text = ReadFile(config_.data_dir / "admin-token");
  REQUIRE(text.ok());
  std::string t = *text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t;
}

HttpResult TestPlatform::Send(const std::string& method, const std::string& path, const std::string& content_type,
                              const std::string& body, std::optional<std::string> token) const {
  Poco::Net::HTTPClientSession session("127.0.0.1", port_);
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  std::string t = token ? *token : this->token();
  if (!t.empty()) req.set("Authorization", "Bearer " + t);
  if (!content_type.empty()) req.setContentType(content_type);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.setContentLength64(static_cast<Poco::Int64>(body.size()));
  }
  std::ostream& out = session.sendRequest(req);
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  Poco::Net::HTTPResponse res;
  std::istream& in = session.receiveResponse(res);
  HttpResult r;
  r.status = res.getStatus();
  std::ostringstream text;
  Poco::StreamCopier::copyStream(in, text);
  r.body = text.str();
  for (const auto& [k, v] : res) r.headers[k] = v;
  if (res.getContentType().rfind("application/json", 0) == 0) {
    r.json = nlohmann::json::parse(r.body, nullptr, false);
  }
  return r;
}

HttpResult TestPlatform::Call(const std::string& method, const std::string& path,
                              const std::optional<nlohmann::json>& body, std::optional<std::string> token) const {
  return Send(method, path, body ? "application/json" : "", body ? body->dump() : "", std::move(token));
}

nlohmann::json TestPlatform::CreateApp(const std::string& name) {
  HttpResult r = Call("POST", "/v1/apps", nlohmann::json{{"name", name}});
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return r.json;
}

std::string TestPlatform::SharedDomainGuid() {
  HttpResult r = Call("GET", "/v1/domains");
  REQUIRE(r.status == 200);
  for (const auto& d : r.json["resources"]) {
    if (d["shared"] == true) return d["guid"];
  }
  FAIL("no shared domain");
  return "";
}

std::string TestPlatform::PlainUserToken() {
  SystemClock clock;
  auto secret = daemon().database().Transact<std::string>([&](state::Tx& tx) -> Result<std::string> {
    WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO users (guid, name, created_at) VALUES (?, 'dev', 't')", "u-dev"));
    // A developer in the default space, as a user an admin gave the SpaceDeveloper role.
    const auto& tenancy = daemon().platform().tenancy;
    state::UserStore users(tx);
    WHARF_RETURN_IF_ERROR(users.AssignRole("u-dev", "organization_user", tenancy.org.guid, std::nullopt, "t"));
    WHARF_RETURN_IF_ERROR(users.AssignRole("u-dev", "space_developer", std::nullopt, tenancy.space.guid, "t"));
    return IssueToken(tx, "u-dev", "test", clock);
  });
  REQUIRE_MESSAGE(secret.ok(), secret.status().ToString());
  return *secret;
}

void CheckError(const HttpResult& r, int status, const std::string& code) {
  CHECK_MESSAGE(r.status == status, r.body);
  CHECK(r.json["code"] == code);
  CHECK(r.json["title"].is_string());
  CHECK(!r.json["detail"].get<std::string>().empty());
}

}  // namespace wharf::controller::testing
