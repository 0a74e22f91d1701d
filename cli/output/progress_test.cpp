#include "cli/output/progress.h"

#include <algorithm>
#include <sstream>

#include <doctest/doctest.h>

namespace wharf::cli {
namespace {

TEST_CASE("ProgressBar draws on a terminal only when the percentage changes, and ends the line") {
  std::ostringstream out;
  ProgressBar bar(out, true, 2048);
  bar.Update(1024);
  bar.Update(1025);  // still 50%: no redraw
  bar.Update(2048);
  bar.Finish();
  std::string s = out.str();
  CHECK(s.find("] 50%  1.0 KiB of 2.0 KiB") != std::string::npos);
  CHECK(s.find("] 100%  2.0 KiB of 2.0 KiB") != std::string::npos);
  CHECK(std::count(s.begin(), s.end(), '\r') == 2);
  CHECK(s.back() == '\n');
}

TEST_CASE("ProgressBar prints nothing when output is not a terminal") {
  std::ostringstream out;
  ProgressBar bar(out, false, 100);
  bar.Update(50);
  bar.Finish();
  CHECK(out.str().empty());
}

}  // namespace
}  // namespace wharf::cli
