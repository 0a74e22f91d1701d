// The CLI tests' temporary folder: common/testing/temp_dir.h.
#pragma once

#include "common/testing/temp_dir.h"

namespace wharf::cli::testing {

using TempDir = ::wharf::testing::TempDir;

}  // namespace wharf::cli::testing
