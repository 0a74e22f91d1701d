#include "cli/testing/test_wharfd.h"

#include <algorithm>
#include <mutex>
#include <thread>

#include <doctest/doctest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "common/file_io.h"
#include "common/net/https_client.h"
#include "controller/daemon/daemon.h"
#include "controller/dataplane/desired_state_db.h"
#include "controller/services/apps/process_service.h"
#include "controller/services/builds/build_scheduler.h"
#include "controller/services/builds/build_service.h"
#include "droplet-store/blob_store.h"
#include "droplet-store/package_manifest.h"
#include "state/apps/app_store.h"

namespace wharf::cli::testing {

using nlohmann::json;

// Stages every build on a thread of its own as soon as it is scheduled.
class ScriptedStager final : public controller::BuildScheduler {
 public:
  explicit ScriptedStager(std::optional<std::string> failure) : failure_(std::move(failure)) {}
  ~ScriptedStager() override { Join(); }

  void Attach(controller::Daemon* daemon) {
    std::lock_guard lock(mu_);
    daemon_ = daemon;
  }

  Status Schedule(const controller::StagingJob& job) override {
    std::lock_guard lock(mu_);
    threads_.emplace_back([this, build = job.build.guid, app = job.app.guid] { Stage(build, app); });
    return Status::Ok();
  }

  void Join() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
  }

 private:
  void Stage(const std::string& build_guid, const std::string& app_guid) {
    controller::Daemon* daemon = nullptr;
    while (daemon == nullptr) {  // Schedule can run before Attach during a restart
      {
        std::lock_guard lock(mu_);
        daemon = daemon_;
      }
      if (daemon == nullptr) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    daemon->logs().Append(app_guid, "STG/0", "OUT", "-----> Scripted stager for CLI tests");
    if (failure_) {
      CHECK(daemon->builds().FailBuild(build_guid, *failure_).ok());
      return;
    }
    Result<store::BlobInfo> droplet = daemon->blobs().PutBytes("droplet of " + build_guid);
    CHECK(droplet.ok());  // on a thread of its own: CHECK, never REQUIRE (it would throw past the thread)
    if (!droplet.ok()) return;
    controller::StagingResult result;
    result.droplet_sha256 = droplet->sha256;
    result.droplet_size_bytes = static_cast<std::int64_t>(droplet->size);
    result.process_types = {{"web", "node server.js"}};
    result.buildpacks = json::array({{{"name", "nodejs_buildpack"}, {"version", "1.0.0"}}});
    Result<state::Droplet> done = daemon->builds().CompleteBuild(build_guid, result);
    CHECK_MESSAGE(done.ok(), done.status().ToString());
  }

  std::optional<std::string> failure_;
  std::mutex mu_;
  controller::Daemon* daemon_ = nullptr;
  std::vector<std::thread> threads_;
};

// Reports the instances a test set, with the app's current version unless outdated.
class ScriptedCell final : public cell::InstanceReporter {
 public:
  void Attach(controller::Daemon* daemon) {
    std::lock_guard lock(mu_);
    daemon_ = daemon;
  }

  void Set(const std::string& app_guid, std::vector<TestWharfd::Instance> instances) {
    std::lock_guard lock(mu_);
    instances_[app_guid] = std::move(instances);
  }

  std::vector<cell::InstanceReport> Instances(const std::string& app_guid, const std::string& type) override {
    std::lock_guard lock(mu_);
    std::vector<cell::InstanceReport> out;
    auto it = instances_.find(app_guid);
    if (type != "web" || it == instances_.end() || daemon_ == nullptr) return out;
    Result<state::App> app = daemon_->database().Read<state::App>([&](state::Tx& tx) { return state::AppStore(tx).Get(app_guid); });
    Result<state::Process> process = daemon_->processes().GetByType(app_guid, type);
    if (!app.ok() || !process.ok()) return out;
    const std::string current = controller::InstanceVersion(*app, *process);
    for (const TestWharfd::Instance& i : it->second) {
      cell::InstanceReport r = i.report;
      r.version = i.outdated ? "an older version" : current;
      out.push_back(std::move(r));
    }
    return out;
  }

  Status RestartInstance(const std::string& app_guid, const std::string&, int index) override {
    std::lock_guard lock(mu_);
    auto it = instances_.find(app_guid);
    if (it == instances_.end()) return Status::NotFound("no instance at index " + std::to_string(index));
    for (const TestWharfd::Instance& i : it->second) {
      if (i.report.index == index) return Status::Ok();
    }
    return Status::NotFound("no instance at index " + std::to_string(index));
  }

 private:
  std::mutex mu_;
  controller::Daemon* daemon_ = nullptr;
  std::map<std::string, std::vector<TestWharfd::Instance>> instances_;
};

TestWharfd::TestWharfd() { Restart(); }

TestWharfd::~TestWharfd() {
  if (stager_) stager_->Join();
  if (daemon_) {
    daemon_->instances().Set(nullptr);
    daemon_->Stop(std::chrono::seconds(2));
  }
  daemon_.reset();
}

void TestWharfd::Restart() {
  if (stager_) stager_->Join();
  if (daemon_) {
    daemon_->instances().Set(nullptr);
    daemon_->Stop(std::chrono::seconds(2));
    daemon_.reset();
  }
  controller::Config config;
  config.data_dir = data_dir();
  config.stacks_dir = data_dir() / "stacks";  // none built: the host stack only
  config.api_port = 0;
  config.roles = roles_;
  config.api_tls_cert = tls_cert_;
  config.api_tls_key = tls_key_;
  auto started = controller::Daemon::Start(config, clock_, {}, stager_.get());
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  daemon_ = std::move(started).value();
  if (stager_) stager_->Attach(daemon_.get());
  if (cell_) {
    cell_->Attach(daemon_.get());
    daemon_->instances().Set(cell_.get());
  }
  proxy_.set_backend_port(daemon_->api_port());
}

void TestWharfd::EnableStaging(std::optional<std::string> failure) {
  if (std::find(roles_.begin(), roles_.end(), "stager") == roles_.end()) roles_.push_back("stager");
  if (stager_) stager_->Join();
  auto next = std::make_unique<ScriptedStager>(std::move(failure));
  // The daemon keeps a pointer to the scheduler: restart it onto the new one before the old one goes.
  std::swap(stager_, next);
  Restart();
}

void TestWharfd::EnableCell() {
  if (std::find(roles_.begin(), roles_.end(), "cell") == roles_.end()) roles_.push_back("cell");
  if (!cell_) cell_ = std::make_unique<ScriptedCell>();
  Restart();
}

void TestWharfd::EnableApiTls(const std::filesystem::path& cert, const std::filesystem::path& key) {
  tls_cert_ = cert;
  tls_key_ = key;
  Restart();
}

std::string TestWharfd::direct_url() const {
  return std::string(tls_cert_.empty() ? "http" : "https") + "://127.0.0.1:" + std::to_string(daemon_->api_port());
}

std::string TestWharfd::token() const {
  Result<std::string> text = ReadFile(data_dir() / "admin-token");
  REQUIRE(text.ok());
  std::string t = *text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t;
}

json TestWharfd::Call(const std::string& method, const std::string& path, const std::optional<json>& body) const {
  auto made = MakeHttpClientSession(tls_cert_.empty() ? "http" : "https", "127.0.0.1", daemon_->api_port(),
                                    TlsClientOptions{true, tls_cert_.string()});
  REQUIRE(made.ok());
  Poco::Net::HTTPClientSession& session = **made;
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", "Bearer " + token());
  std::string text = body ? body->dump() : "";
  if (body) {
    req.setContentType("application/json");
    req.setContentLength64(static_cast<Poco::Int64>(text.size()));
  }
  session.sendRequest(req) << text;
  Poco::Net::HTTPResponse res;
  std::istream& in = session.receiveResponse(res);
  std::string answer;
  Poco::StreamCopier::copyToString(in, answer);
  const std::string what = method + " " + path + ": " + answer;
  REQUIRE_MESSAGE(res.getStatus() / 100 == 2, what);
  return answer.empty() ? json() : json::parse(answer);
}

void TestWharfd::AddDomain(const std::string& name) { Call("POST", "/v1/domains", json{{"name", name}}); }

void TestWharfd::AddLogLine(const std::string& app_guid, const std::string& source, const std::string& message) {
  daemon_->logs().Append(app_guid, source, "OUT", message);
}

void TestWharfd::SetInstances(const std::string& app_name, std::vector<Instance> instances) {
  REQUIRE_MESSAGE(cell_, "EnableCell() first");
  std::optional<json> a = app(app_name);
  REQUIRE(a.has_value());
  cell_->Set((*a)["guid"], std::move(instances));
}

int TestWharfd::uploads() const {
  int n = 0;
  for (const std::string& r : requests()) n += r.starts_with("POST /v1/resources") ? 1 : 0;
  return n;
}

bool TestWharfd::HasBlob(const std::string& sha256) const { return daemon_->blobs().Has(sha256); }

std::optional<json> TestWharfd::app(const std::string& name) const {
  json list = Call("GET", "/v1/apps?names=" + name);
  if (list["resources"].empty()) return std::nullopt;
  return list["resources"][0];
}

json TestWharfd::process(const std::string& app_name, const std::string& type) const {
  return Call("GET", "/v1/apps/" + app(app_name).value()["guid"].get<std::string>() + "/processes/" + type);
}

json TestWharfd::packages(const std::string& app_name) const {
  json list = Call("GET", "/v1/apps/" + app(app_name).value()["guid"].get<std::string>() + "/packages");
  json out = json::array();
  for (auto it = list["resources"].rbegin(); it != list["resources"].rend(); ++it) {
    json pkg = *it;
    Result<std::vector<store::PackageFile>> files = store::LoadPackageManifest(daemon_->blobs(), pkg["sha256"].get<std::string>());
    REQUIRE(files.ok());
    pkg["files"] = json::array();
    for (const store::PackageFile& f : *files) {
      pkg["files"].push_back({{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}, {"mode", f.mode}});
    }
    out.push_back(std::move(pkg));
  }
  return out;
}

json TestWharfd::routes() const { return Call("GET", "/v1/routes")["resources"]; }

json TestWharfd::buildpacks() const { return Call("GET", "/v1/buildpacks")["resources"]; }

std::string TestWharfd::buildpack_upload(const std::string& name) const {
  for (const json& b : buildpacks()) {
    if (b["name"] != name || !b["sha256"].is_string()) continue;
    Result<std::string> bits = daemon_->blobs().ReadAll(b["sha256"].get<std::string>());
    REQUIRE(bits.ok());
    return *bits;
  }
  return "";
}

}  // namespace wharf::cli::testing
