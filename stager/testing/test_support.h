// Helpers for the stager's tests: temporary folders that clean up, files with
// modes, and running a command to completion with its output captured.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/testing/temp_dir.h"

namespace wharf::stager::testing {

// A fresh folder that uid 2000 (staging, apps) can reach, removed with everything in it.
class TempDir : public ::wharf::testing::TempDir {
 public:
  explicit TempDir(std::string_view prefix = "wharf-stager-test-")
      : ::wharf::testing::TempDir(prefix, std::filesystem::perms(0755)) {}
};

// Writes `content` at `path` (parents created) with `mode`.
void WriteTestFile(const std::filesystem::path& path, std::string_view content, unsigned mode = 0644);
std::string ReadTestFile(const std::filesystem::path& path);

struct ProcessOutput {
  int exit_code = -1;           // 128 + signal when killed
  std::string output;           // stdout and stderr, interleaved
};

// Runs `argv` (argv[0] is a path) in `cwd` with exactly `env`, waits, returns its output.
ProcessOutput RunProcess(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                         const std::vector<std::string>& env);

// A minimal environment for scripts: PATH, HOME, LANG.
std::vector<std::string> BasicEnv(const std::filesystem::path& home);

}  // namespace wharf::stager::testing
