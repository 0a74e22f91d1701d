#include "controller/daemon/followed_api.h"

#include "common/file_io.h"

namespace wharf::controller {
namespace {

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<FollowedApi> ReadFollowedApi(const Config& config, const DataLayout& layout,
                                    const std::filesystem::path& default_token_file, std::string_view role,
                                    std::string_view token_hint) {
  FollowedApi api;
  if (!config.api_url.empty()) {
    api.url = config.api_url;
  } else if (auto url = ReadFile(layout.api_url_file()); url.ok() && !Trimmed(*url).empty()) {
    api.url = Trimmed(*url);
  } else {
    auto port = ReadFile(layout.api_port_file());
    api.url = "http://127.0.0.1:" + (port.ok() && !Trimmed(*port).empty() ? Trimmed(*port) : std::string("9022"));
  }
  const std::filesystem::path token_file = config.api_token_file.empty() ? default_token_file : config.api_token_file;
  auto token = ReadFile(token_file);
  if (!token.ok()) {
    return token.status().WithContext("reading the " + std::string(role) + "'s API token (--api-token-file" +
                                      std::string(token_hint) + ") from " + token_file.string());
  }
  api.token = Trimmed(*token);
  if (api.token.empty()) return Status::InvalidArgument(token_file.string() + ": the token file is empty");
  return api;
}

}  // namespace wharf::controller
