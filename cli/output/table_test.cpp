#include "cli/output/table.h"

#include <doctest/doctest.h>

namespace wharf::cli {
namespace {

TEST_CASE("RenderTable aligns columns three spaces apart and does not pad the last column") {
  std::string t = RenderTable({"name", "requested state", "routes"},
                              {{"web", "started", "web.localhost"}, {"worker-long", "stopped", ""}}, false);
  CHECK(t ==
        "name          requested state   routes\n"
        "web           started           web.localhost\n"
        "worker-long   stopped\n");
}

TEST_CASE("RenderTable counts UTF-8 characters, not bytes, when aligning") {
  std::string t = RenderTable({"a", "b"}, {{"é", "x"}}, false);
  CHECK(t == "a   b\né   x\n");
}

TEST_CASE("RenderTable makes headers bold only when asked") {
  CHECK(RenderTable({"a"}, {}, true) == "\x1b[1ma\x1b[0m\n");
}

TEST_CASE("RenderKeyValues pads keys to the longest") {
  CHECK(RenderKeyValues({{"name", "web"}, {"requested state", "started"}, {"routes", ""}}) ==
        "name:              web\n"
        "requested state:   started\n"
        "routes:\n");
}

}  // namespace
}  // namespace wharf::cli
