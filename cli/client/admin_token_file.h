// The admin token of a wharfd on this machine, for `wharf login` without --token.
// wharfd names its token file in GET /v1/info, but a server must never choose a
// file for the CLI to read and send back (a hostile or mistyped endpoint would
// collect any file the user can read). So the named file is read only when it
// provably belongs to the endpoint being logged into:
//   - the endpoint's host is a loopback address (the server is on this machine);
//   - the file is called `admin-token` and is a regular file (not a link), owned
//     by root or this user, readable by its owner only (0600, as wharfd writes it);
//   - beside it, the data folder's `api-port` file holds the endpoint's port, which
//     only the wharfd listening there writes.
// Anything else is refused with the reason and the --token alternative.
#pragma once

#include <string>

#include "common/status.h"

namespace wharf::cli {

Result<std::string> ReadLocalAdminToken(const std::string& named_file, const std::string& api_url);

}  // namespace wharf::cli
