// Transition (issue 19): the database layer moved from controller/ to state/
// (namespace wharf::state). Controller code still names its types and functions
// unqualified (App, AppStore, Tx, PageRequest, ...); this directive makes them
// visible inside wharf::controller until each caller qualifies them (state::App).
// Delete this file when no controller file includes it any more.
#pragma once

namespace wharf::state {}

namespace wharf::controller {
using namespace ::wharf::state;  // NOLINT(google-build-using-namespace): the transition above
}  // namespace wharf::controller
