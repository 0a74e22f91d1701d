// libFuzzer target: the manifest reader (YAML, ((var)) substitution, every section), on arbitrary
// text, as `wharf push` reads a manifest a user may have been handed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cli/manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  wharf::cli::Variables vars;
  (void)vars.AddAssignment("domain=example.com");
  (void)wharf::cli::ParseManifest(text, "manifest.yml", "/nonexistent-fuzz-base", vars);
  return 0;
}
