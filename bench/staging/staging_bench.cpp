// Staging benchmark (not part of ctest): stages each example through the
// plain-process backend, cold (no buildpack cache) and warm (re-staging the
// same package with the cache of the previous staging), and reports the
// median time, where it went, and the droplet and cache sizes. Then compares
// droplet compression (gzip and zstd at several levels) on each staged droplet.
//
//   stager_bench [--runs N] [--only NAME[,NAME...]] [--logs] [--backend process|auto|runc|crun]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "stager/source/tree_archive.h"
#include "stager/testing/staging_fixture.h"

using namespace wharf;
using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Example {
  std::string name;
  std::vector<std::string> buildpacks;
};

long Median(std::vector<long> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string Kib(std::uint64_t bytes) {
  char buf[32];
  if (bytes >= (1u << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024);
  }
  return buf;
}

struct Runs {
  std::vector<long> total, prepare, buildpacks, droplet, cache;
  void Add(const StagingResult& r) {
    total.push_back(r.duration.count());
    prepare.push_back(r.timings.prepare.count());
    buildpacks.push_back(r.timings.buildpacks.count());
    droplet.push_back(r.timings.droplet.count());
    cache.push_back(r.timings.cache.count());
  }
  std::string Row() const {
    return std::to_string(Median(total)) + " | " + std::to_string(Median(prepare)) + " / " +
           std::to_string(Median(buildpacks)) + " / " + std::to_string(Median(droplet)) + " / " +
           std::to_string(Median(cache));
  }
};

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  bool show_logs = false;
  std::string backend = "process";
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--backend") && i + 1 < argc) {
      backend = argv[++i];
    } else if (!std::strcmp(argv[i], "--logs")) {
      show_logs = true;
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      std::string list = argv[++i];
      for (std::size_t p = 0; p <= list.size();) {
        std::size_t c = list.find(',', p);
        if (c == std::string::npos) c = list.size();
        only.push_back(list.substr(p, c - p));
        p = c + 1;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--runs N] [--only NAME[,NAME...]] [--logs] [--backend process|auto|runc|crun]\n", argv[0]);
      return 2;
    }
  }
  const std::vector<Example> examples = {{"static-site", {}}, {"nginx", {}}, {"nodejs", {}}, {"python", {}},
                                         {"go", {}},          {"ruby", {}},  {"java", {}},   {"php", {}},
                                         {"binary", {"binary_buildpack"}}};
  std::printf("# Staging benchmark: %d run(s) each, medians in ms\n\n", runs);
  {
    // What one staging container costs by itself: /bin/true run to completion.
    StagingFixture bare(std::nullopt, backend);
    std::vector<long> ms;
    for (int r = 0; r < std::max(runs, 5); ++r) {
      runtime::ContainerSpec spec;
      spec.id = "bench-true-" + std::to_string(r);
      spec.app_dir = bare.dir().path();
      spec.argv = {"/bin/true"};
      spec.network = runtime::NetworkMode::kHost;
      auto t0 = SteadyClock::now();
      auto run = runtime::RunToCompletion(bare.runtime(), spec, std::chrono::seconds(30),
                                          [](std::string_view, bool) {});
      ms.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0).count());
      if (!run.ok()) std::fprintf(stderr, "container: %s\n", run.status().ToString().c_str());
    }
    std::printf("Empty container (/bin/true) through the %s backend: %ld ms\n\n",
                std::string(bare.runtime().Name()).c_str(), Median(ms));
  }
  std::printf("| example | cold total | cold prepare / buildpacks / droplet / cache | warm total | "
              "warm prepare / buildpacks / droplet / cache | droplet | cache |\n|---|---|---|---|---|---|---|\n");
  std::map<std::string, fs::path> droplets;
  StagingFixture f(std::nullopt, backend);
  for (const auto& ex : examples) {
    if (!only.empty() && std::find(only.begin(), only.end(), ex.name) == only.end()) continue;
    const fs::path dir = SourceDir() / "examples" / ex.name;
    Runs cold, warm;
    std::uint64_t droplet_size = 0, cache_size = 0;
    bool failed = false;
    for (int r = 0; r < runs && !failed; ++r) {
      CollectingObserver log;
      auto first = f.Stage(f.Request(dir, ex.buildpacks), log);
      if (!first.ok()) {
        std::fprintf(stderr, "%s: %s\n%s", ex.name.c_str(), first.error().Summary().c_str(), log.Text().c_str());
        failed = true;
        break;
      }
      cold.Add(first.result());
      droplet_size = first.result().droplet_size;
      if (first.result().cache_sha256) cache_size = *f.blobs().Size(*first.result().cache_sha256);
      droplets[ex.name] = f.Unpack(first.result().droplet_sha256);
      auto again = f.Request(dir, ex.buildpacks);
      again.previous_cache_sha256 = first.result().cache_sha256;
      CollectingObserver log2;
      auto second = f.Stage(again, log2);
      if (!second.ok()) {
        std::fprintf(stderr, "%s (warm): %s\n", ex.name.c_str(), second.error().Summary().c_str());
        failed = true;
        break;
      }
      warm.Add(second.result());
      if (show_logs && r == 0) {
        std::fprintf(stderr, "--- %s cold\n%s--- %s warm\n%s", ex.name.c_str(), log.Text().c_str(), ex.name.c_str(),
                     log2.Text().c_str());
      }
    }
    if (failed) continue;
    std::printf("| %s | %s | %s | %s |\n", ex.name.c_str(), (cold.Row()).c_str(), warm.Row().c_str(),
                (Kib(droplet_size) + " | " + (cache_size ? Kib(cache_size) : std::string("-"))).c_str());
    std::fflush(stdout);
  }

  std::printf("\n# Droplet compression (tar of the unpacked droplet; ms = median of %d)\n\n", runs);
  struct Codec {
    const char* name;
    Compression c;
    int level;
  };
  const std::vector<Codec> codecs = {{"none", Compression::kNone, 0}, {"gzip-1", Compression::kGzip, 1},
                                     {"gzip-6", Compression::kGzip, 6}, {"zstd-1", Compression::kZstd, 1},
                                     {"zstd-3", Compression::kZstd, 3}, {"zstd-9", Compression::kZstd, 9}};
  std::printf("| example |");
  for (const auto& c : codecs) std::printf(" %s |", c.name);
  std::printf("\n|---|");
  for (std::size_t i = 0; i < codecs.size(); ++i) std::printf("---|");
  std::printf("\n");
  for (const auto& [name, dir] : droplets) {
    std::printf("| %s |", name.c_str());
    for (const auto& c : codecs) {
      std::vector<long> ms;
      std::uint64_t size = 0;
      for (int r = 0; r < runs; ++r) {
        auto t0 = SteadyClock::now();
        auto stats = WriteTreeArchive({{"", dir}}, {}, {c.c, c.level, UINT64_MAX},
                                      [](const void*, std::size_t) { return Status::Ok(); });
        ms.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0).count());
        if (stats.ok()) size = stats->archive_bytes;
      }
      std::printf(" %s, %ld ms |", Kib(size).c_str(), Median(ms));
    }
    std::printf("\n");
  }
  return 0;
}
