// curl: an authenticated request to the wharfd API, printing the answer's body.
#include <ostream>

#include "cli/client/raw_request.h"
#include "cli/commands/commands.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

Status RunCurl(CliContext& ctx, const ParsedArgs& args) {
  const std::string& path = args.positionals[0];
  if (path.empty() || path.front() != '/') {
    return Status::InvalidArgument("PATH must start with '/', e.g. /v1/apps, not '" + path + "'");
  }
  std::optional<std::string> data = args.Value("d");
  // As curl: -d @FILE reads the body from a file.
  if (data && data->size() > 1 && data->front() == '@') {
    Result<std::string> content = ReadFile(ctx.cwd() / data->substr(1));
    if (!content.ok()) return content.status().WithContext("-d " + *data);
    data = *content;
  }
  std::string method = args.Value("X").value_or(data ? "POST" : "GET");
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  WHARF_ASSIGN_OR_RETURN(auto config, ctx.EffectiveConfig());
  if (config.api.empty()) return Status::InvalidArgument("no API endpoint set; use 'wharf api URL' first");
  WHARF_ASSIGN_OR_RETURN(auto res, SendRawRequest(config.api, config.token, method, path, data, args.Values("H"),
                                           ClientTlsOptions(config, ctx.env())));
  if (args.Has("i")) ctx.out() << "HTTP " << res.status << "\nContent-Type: " << res.content_type << "\n\n";
  std::string body = res.body;
  if (res.content_type.find("json") != std::string::npos) {
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_discarded()) body = parsed.dump(2);
  }
  ctx.out() << body;
  if (!body.empty() && body.back() != '\n') ctx.out() << "\n";
  if (args.Has("fail") && res.status >= 400) {
    return Status::Unavailable(method + " " + path + " answered HTTP " + std::to_string(res.status));
  }
  return Status::Ok();
}

}  // namespace

void AddCurlCommand(std::vector<Command>& out) {
  out.push_back({{"curl", {}, "Advanced", "Execute a raw request, content-type set to application/json by default",
                  "wharf curl PATH [-X METHOD] [-H HEADER]... [-d DATA | -d @FILE] [-i] [--fail]",
                  "Sends the request to the wharfd API you are logged in to, with your token, and prints the\n"
                  "answer's body (JSON indented), whatever its status unless --fail is given. PATH is the API\n"
                  "path, e.g. /v1/apps or /v1/info (docs/api.md lists them). With -d the method defaults to POST.",
                  {{"PATH"}},
                  {{"X", 'X', FlagKind::kString, "METHOD", "HTTP method (GET, POST, PUT, PATCH, DELETE; default GET)"},
                   {"H", 'H', FlagKind::kStringList, "HEADER", "Custom header, 'Name: value' (repeatable)"},
                   {"d", 'd', FlagKind::kString, "DATA", "Request body, or @FILE to read it from a file"},
                   {"i", 'i', FlagKind::kBool, "", "Print the status and content type before the body"},
                   {"fail", 0, FlagKind::kBool, "", "Exit 1 when the status is 400 or above"}}},
                 RunCurl});
}

}  // namespace wharf::cli
