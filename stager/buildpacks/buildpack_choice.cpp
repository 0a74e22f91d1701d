#include "stager/buildpacks/buildpack_choice.h"

#include <cctype>

namespace wharf::stager {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool IsArchiveName(std::string_view s) {
  return EndsWith(s, ".zip") || EndsWith(s, ".tgz") || EndsWith(s, ".tar.gz") || EndsWith(s, ".tar");
}

bool IsRegisteredName(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

Result<BuildpackChoice> ParseBuildpackChoice(std::string_view text) {
  BuildpackChoice c;
  c.text = std::string(text);
  if (text.empty() || text == "default" || text == "null") {
    c.kind = BuildpackChoice::Kind::kDetect;
    return c;
  }
  if (text.find_first_of(" \t\r\n") != std::string_view::npos || text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("buildpack '" + c.text + "' contains white space");
  }
  std::string_view body = text;
  std::string_view ref;
  if (auto hash = text.find('#'); hash != std::string_view::npos) {
    body = text.substr(0, hash);
    ref = text.substr(hash + 1);
    if (ref.empty()) return Status::InvalidArgument("buildpack '" + c.text + "' has an empty #ref");
  }
  const bool url = StartsWith(body, "https://") || StartsWith(body, "http://") || StartsWith(body, "git://") ||
                   StartsWith(body, "ssh://") || StartsWith(body, "file://") || StartsWith(body, "git@");
  if (url) {
    if (IsArchiveName(body) && !StartsWith(body, "file://")) {
      return Status::InvalidArgument("buildpack '" + c.text +
                                     "': archive URLs are not fetched; register the archive with create-buildpack");
    }
    c.kind = BuildpackChoice::Kind::kGit;
    c.value = std::string(body);
    c.ref = std::string(ref);
    return c;
  }
  if (StartsWith(body, "/")) {
    c.value = std::string(body);
    if (!ref.empty()) {
      c.kind = BuildpackChoice::Kind::kGit;
      c.ref = std::string(ref);
    } else {
      c.kind = IsArchiveName(body) ? BuildpackChoice::Kind::kArchive : BuildpackChoice::Kind::kFolder;
    }
    return c;
  }
  if (!ref.empty()) return Status::InvalidArgument("buildpack '" + c.text + "': only git URLs and paths take a #ref");
  if (!IsRegisteredName(body)) {
    return Status::InvalidArgument("buildpack '" + c.text +
                                   "' is neither a buildpack name, an absolute path nor a git URL");
  }
  c.kind = BuildpackChoice::Kind::kRegistered;
  c.value = std::string(body);
  return c;
}

bool ReadsServerFiles(const BuildpackChoice& choice) {
  switch (choice.kind) {
    case BuildpackChoice::Kind::kFolder:
    case BuildpackChoice::Kind::kArchive:
      return true;
    case BuildpackChoice::Kind::kGit:
      return StartsWith(choice.value, "file://") || StartsWith(choice.value, "/");
    default:
      return false;
  }
}

Result<std::vector<BuildpackChoice>> ParseBuildpackChoices(const std::vector<std::string>& texts) {
  std::vector<BuildpackChoice> out;
  for (const auto& t : texts) {
    WHARF_ASSIGN_OR_RETURN(auto c, ParseBuildpackChoice(t));
    out.push_back(std::move(c));
  }
  if (out.size() == 1 && out[0].kind == BuildpackChoice::Kind::kDetect) out.clear();
  for (const auto& c : out) {
    if (c.kind == BuildpackChoice::Kind::kDetect) {
      return Status::InvalidArgument("buildpack '" + c.text + "' (detect) cannot be combined with other buildpacks");
    }
  }
  return out;
}

}  // namespace wharf::stager
