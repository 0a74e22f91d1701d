// wharf-router: the routing data plane as its own process, fed from a JSON routes file.
//   wharf-router --routes-file routes.json [--port 8080] [--tls-port 8443] [--admin-port 8081] [--threads N]
//                [--listen 0.0.0.0] [--access-log FILE]   (--help lists them)
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/flags.h"
#include "common/open_file_limit.h"
#include "common/time/clock.h"
#include "router/router.h"
#include "router/routes/routes_file.h"

namespace {

// wharf-router's flags; the usage text is rendered from them.
wharf::CommandSpec RouterCommandSpec() {
  using wharf::FlagKind;
  wharf::CommandSpec spec;
  spec.name = "wharf-router";
  spec.flags = {
      {"routes-file", 0, FlagKind::kString, "FILE", "JSON routes file, reloaded when it changes (required)"},
      {"port", 0, FlagKind::kString, "N", "listen port (default 8080; 0 picks a free port)"},
      {"tls-port", 0, FlagKind::kString, "N",
       "HTTPS with the routes file's \"certificates\" (SNI); 0 picks a free port (default: off)"},
      {"admin-port", 0, FlagKind::kString, "N", "/metrics and /health on 127.0.0.1:N (default: off)"},
      {"threads", 0, FlagKind::kString, "N", "event loops, 1 to 256 (default: one per core)"},
      {"listen", 0, FlagKind::kString, "ADDRESS", "listen address (default 0.0.0.0)"},
      {"access-log", 0, FlagKind::kString, "FILE", "append access log lines to FILE (default: none)"},
      {"help", 'h', FlagKind::kBool, "", "show this text"},
  };
  return spec;
}

std::string UsageText() {
  return "usage: wharf-router --routes-file FILE [flags]\n"
         "\n"
         "Runs the Wharf router alone, fed from a JSON routes file.\n"
         "\n"
         "flags:\n" +
         wharf::RenderFlagTable(RouterCommandSpec().flags, 2, 2);
}

int Usage(const std::string& why) {
  std::cerr << "wharf-router: " << why << "\n\n" << UsageText();
  return 2;
}

bool ParsePort(const std::string& s, std::uint16_t* out) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0' || v < 0 || v > 65535) return false;
  *out = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace wharf;
  using namespace wharf::router;
  std::vector<std::string> args(argv + 1, argv + argc);
  Result<ParsedArgs> parsed = ParseArgs(RouterCommandSpec(), args);
  if (!parsed.ok()) return Usage(parsed.status().message());
  if (parsed->help) {
    std::cout << UsageText();
    return 0;
  }
  RaiseOpenFileLimit();  // thousands of client connections, not the default 1024
  RouterOptions options;
  if (auto port = parsed->Value("port"); port && !ParsePort(*port, &options.port)) {
    return Usage("invalid --port '" + *port + "'");
  }
  if (auto port = parsed->Value("tls-port")) {
    std::uint16_t p = 0;
    if (!ParsePort(*port, &p)) return Usage("invalid --tls-port '" + *port + "'");
    options.tls_port = p;
  }
  auto certificates = std::make_shared<wharf::router::TlsCertificateStore>();
  options.certificates = certificates;
  if (auto port = parsed->Value("admin-port")) {
    std::uint16_t p = 0;
    if (!ParsePort(*port, &p)) return Usage("invalid --admin-port '" + *port + "'");
    options.admin_port = p;
  }
  if (auto threads = parsed->Value("threads")) {
    options.threads = std::atoi(threads->c_str());
    if (options.threads <= 0 || options.threads > 256) return Usage("invalid --threads '" + *threads + "'");
  }
  if (auto listen = parsed->Value("listen")) options.listen_address = *listen;
  const std::string routes_file = parsed->Value("routes-file").value_or("");
  const std::string access_log_path = parsed->Value("access-log").value_or("");
  if (routes_file.empty()) return Usage("--routes-file is required");
  if (options.threads == 0) options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // Block the stop signals in every thread; main waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  SystemClock clock;
  RouteRegistry registry(options.threads + 1);
  FileRouteFeed feed(routes_file, std::chrono::milliseconds(500), [](const Status& s) {
    std::cerr << "routes-reload-failed error=\"" << s.ToString() << "\"\n";
  });
  feed.SetCertificateStore(certificates);
  Status s = feed.Subscribe(registry);
  if (!s.ok()) {
    std::cerr << "wharf-router: " << s.ToString() << "\n";
    return 1;
  }
  std::unique_ptr<AccessLogSink> sink;
  if (!access_log_path.empty()) {
    auto file = FileAccessLogSink::Open(access_log_path);
    if (!file.ok()) {
      std::cerr << "wharf-router: " << file.status().ToString() << "\n";
      return 1;
    }
    sink = std::move(*file);
  }
  auto router = Router::Start(options, registry, clock, sink.get());
  if (!router.ok()) {
    std::cerr << "wharf-router: " << router.status().ToString() << "\n";
    return 1;
  }
  std::cout << "router-started port=" << (*router)->port();
  if (auto tls = (*router)->tls_port()) std::cout << " tls_port=" << *tls;
  if (auto admin = (*router)->admin_port()) std::cout << " admin_port=" << *admin;
  std::cout << " threads=" << options.threads << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cout << "router-stopping signal=" << sig << std::endl;
  (*router)->Stop();
  feed.Unsubscribe();
  return 0;
}
