#include "cli/client/admin_token_file.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>

#include "common/file_io.h"

namespace wharf::cli {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

Status Refuse(const std::string& file, const std::string& why) {
  return Status::Unauthenticated("no token given, and the admin token file " + file + " wharfd names is not read: " +
                                 why + ";\nrun 'wharf login' on the wharfd machine as a user who can read it, or "
                                 "pass the token: wharf login --token TOKEN (or set WHARF_TOKEN)");
}

}  // namespace

Result<std::string> ReadLocalAdminToken(const std::string& named_file, const std::string& api_url) {
  if (named_file.empty()) {
    return Status::Unauthenticated("no token given, and wharfd does not say where its admin token is; "
                                   "log in with 'wharf login --token TOKEN'");
  }
  Poco::URI uri;
  try {
    uri = Poco::URI(api_url);
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("API endpoint " + api_url + ": " + e.displayText());
  }
  if (!IsLoopbackHost(uri.getHost())) {
    return Refuse(named_file, "the endpoint " + api_url + " is not on this machine's loopback");
  }
  std::filesystem::path file(named_file);
  if (!file.is_absolute() || file.filename() != "admin-token") {
    return Refuse(named_file, "it is not an absolute path to a file called admin-token");
  }
  struct stat st {};
  if (lstat(file.c_str(), &st) != 0) return Refuse(named_file, "it cannot be read by this user");
  if (!S_ISREG(st.st_mode)) return Refuse(named_file, "it is not a regular file");
  if (st.st_uid != 0 && st.st_uid != geteuid()) return Refuse(named_file, "it belongs to another user");
  if ((st.st_mode & 077) != 0) return Refuse(named_file, "other users may read it (wharfd writes it with mode 0600)");
  Result<std::string> port = ReadFile(file.parent_path() / "api-port");
  if (!port.ok() || Trim(*port) != std::to_string(uri.getPort())) {
    return Refuse(named_file, "the api-port file beside it does not name port " + std::to_string(uri.getPort()) +
                                  " of " + api_url);
  }
  Result<std::string> text = ReadFile(file);
  if (!text.ok()) return Refuse(named_file, text.status().message());
  if (Trim(*text).empty()) return Refuse(named_file, "it is empty");
  return Trim(*text);
}

}  // namespace wharf::cli
