// The misbehaving test broker (services/testdata/misbehaving_broker.py, a real Python HTTP server)
// for the tests of the Open Service Broker client and of the controller's managed services.
// Header-only: the test target defines WHARF_SERVICES_TESTDATA (the testdata folder).
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "services/osb_client.h"

extern char** environ;

namespace wharf::services::testing {

// The broker, started in a fresh folder named after `prefix`; stopped (SIGTERM to its pid) by
// Stop() or the destructor.
class TestBroker {
 public:
  explicit TestBroker(const std::string& prefix = "wharf-osb-test-") {
    using namespace std::chrono_literals;
    dir_ = std::filesystem::temp_directory_path() /
           (prefix + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
    const std::string script = std::string(WHARF_SERVICES_TESTDATA) + "/misbehaving_broker.py";
    const std::string port_file = (dir_ / "port").string();
    std::vector<std::string> args = {"python3", "-B", script, port_file};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawnp(&pid_, "python3", nullptr, nullptr, argv.data(), environ) == 0);
    for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) std::this_thread::sleep_for(25ms);
    std::ifstream in(port_file);
    in >> port_;
    REQUIRE(port_ > 0);
  }
  ~TestBroker() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TestBroker(const TestBroker&) = delete;
  TestBroker& operator=(const TestBroker&) = delete;

  void Stop() {
    if (pid_ == 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  BrokerEndpoint Endpoint(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const {
    return BrokerEndpoint{url(), "broker-user", "broker-pass", timeout};
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  pid_t pid_ = 0;
  int port_ = 0;
};

}  // namespace wharf::services::testing
