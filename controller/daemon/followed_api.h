// The API a wharfd that runs apart from it follows (`--roles router`, `--roles cell`): its URL and the
// token to present.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "controller/daemon/config.h"
#include "controller/daemon/layout.h"

namespace wharf::controller {

struct FollowedApi {
  std::string url;    // --api-url, else the URL (then the port) an API of this data folder wrote, else :9022
  std::string token;  // the first line of --api-token-file, else of `default_token_file`
};

// `role` names the token in errors ("router", "cell"); `token_hint` says where the API writes it.
Result<FollowedApi> ReadFollowedApi(const Config& config, const DataLayout& layout,
                                    const std::filesystem::path& default_token_file, std::string_view role,
                                    std::string_view token_hint = "");

}  // namespace wharf::controller
