// The CLI's flag parser is the one every Wharf program shares: common/flags.h.
// This header keeps its names reachable as wharf::cli::* for the command sources.
#pragma once

#include "common/flags.h"

namespace wharf::cli {

using wharf::CommandSpec;
using wharf::FlagDisplayName;
using wharf::FlagKind;
using wharf::FlagSpec;
using wharf::ParseArgs;
using wharf::ParsedArgs;
using wharf::PositionalSpec;
using wharf::RenderFlagTable;

}  // namespace wharf::cli
