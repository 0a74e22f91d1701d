// The stacks a platform offers: root file systems built from Debian packages by
// stacks/build.sh (as Cloud Foundry's cflinuxfs4 or Heroku's heroku-24), each in
// <stacks_dir>/<name>/ with its rootfs/ and a stack.json that describes it, plus
// the host stack (the host's own /usr and /etc, a developer option).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::stacks {

// The stack that is the host's own system, kept as an explicit developer option: apps
// see the host's /usr and /etc (bound read-only), so they get the host's toolchains.
inline constexpr std::string_view kHostStack = "host";

struct StackInfo {
  std::string name;
  std::string description;
  std::filesystem::path root;                   // empty for the host stack
  std::map<std::string, std::string> versions;  // runtime -> version ("go": "1.24.4")
  std::string built_at;                         // RFC 3339, empty for the host stack
  std::uint64_t size_bytes = 0;
};

// True for "" and "host": containers bind the host's folders instead of a stack root.
bool IsHostStack(std::string_view name);

// A valid stack name: 1 to 63 of [a-z0-9._-], starting with a letter or digit.
bool ValidStackName(std::string_view name);

// The read-only root of stack `name` under `stacks_dir`; kNotFound naming the folder and
// the installed stacks when it is not there, kInvalidArgument for a malformed name.
Result<std::filesystem::path> StackRoot(const std::filesystem::path& stacks_dir, std::string_view name);

// The stacks installed under `stacks_dir` (sorted by name; folders without a readable
// stack.json and a rootfs/ are skipped, as are half-built ones), then the host stack.
class StackCatalog {
 public:
  // `host_description` describes the host stack ("Debian GNU/Linux 12 (bookworm)").
  static StackCatalog Load(const std::filesystem::path& stacks_dir, std::string host_description);

  const std::vector<StackInfo>& All() const { return stacks_; }
  const StackInfo* Find(std::string_view name) const;
  // The stack new apps get: the first built stack, else the host stack.
  const std::string& DefaultName() const;
  // Ok when `name` is installed, else kInvalidArgument listing the installed stacks.
  Status Check(std::string_view name) const;

 private:
  std::vector<StackInfo> stacks_;
};

// Where a wharfd finds its stacks; read again at each use, so a stack built while wharfd
// runs is offered at once. Without containers only the host stack can run.
struct StackSource {
  std::filesystem::path dir;
  std::string host_description;
  bool containers = true;
  StackCatalog Load() const { return StackCatalog::Load(containers ? dir : std::filesystem::path(), host_description); }
};

// The host's own description from os-release's PRETTY_NAME ("Debian GNU/Linux 12 (bookworm)").
std::string HostStackDescription(const std::filesystem::path& os_release = "/etc/os-release");

}  // namespace wharf::stacks
