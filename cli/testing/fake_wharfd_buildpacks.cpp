// The fake wharfd's /v1/buildpacks: Cloud Foundry's position semantics
// (insert or move to N shifts the rest, past the end appends, delete closes the gap).
#include <algorithm>

#include "cli/testing/fake_wharfd_state.h"

namespace wharf::cli::testing {
namespace {

using nlohmann::json;

void Renumber(std::vector<json>& list) {
  for (std::size_t i = 0; i < list.size(); ++i) list[i]["position"] = static_cast<std::int64_t>(i + 1);
}

// Index to insert at for a requested position (clamped to the end).
std::size_t Slot(const std::vector<json>& list, std::int64_t position) {
  return static_cast<std::size_t>(std::clamp<std::int64_t>(position - 1, 0, static_cast<std::int64_t>(list.size())));
}

}  // namespace

Reply FakeState::Buildpacks(const Call& c) {
  const std::vector<std::string>& p = c.p;
  const json& body = c.body;
  Reply r = Error(404, "not_found", "no route for " + c.method + " " + c.uri.getPath());
  if (p.size() == 2 && c.method == "GET") return Page(buildpacks, c.uri);
  if (p.size() == 2 && c.method == "POST") {
    const std::string name = body.value("name", "");
    for (const json& b : buildpacks) {
      if (b["name"] == name) return Error(409, "conflict", "buildpack '" + name + "' already exists");
    }
    std::int64_t position = body.value("position", static_cast<std::int64_t>(buildpacks.size() + 1));
    if (position < 1) return Error(400, "invalid_argument", "field 'position' must be 1 or more");
    json b = {{"guid", NewGuid("buildpack")}, {"name", name}, {"enabled", body.value("enabled", true)},
              {"locked", false}, {"stack", nullptr}, {"filename", nullptr}, {"builtin", false},
              {"state", "AWAITING_UPLOAD"}};
    std::size_t slot = Slot(buildpacks, position);
    buildpacks.insert(buildpacks.begin() + static_cast<std::ptrdiff_t>(slot), b);
    Renumber(buildpacks);
    return {201, buildpacks[slot]};
  }
  if (p.size() < 3) return r;
  auto it = std::find_if(buildpacks.begin(), buildpacks.end(), [&](const json& b) { return b["guid"] == p[2]; });
  if (it == buildpacks.end()) return Error(404, "not_found", "buildpack '" + p[2] + "' not found");
  if (p.size() == 3 && c.method == "GET") return {200, *it};
  if (p.size() == 3 && c.method == "DELETE") {
    buildpacks.erase(it);
    Renumber(buildpacks);
    return {204, nullptr};
  }
  if (p.size() == 3 && c.method == "PATCH") {
    json b = *it;
    if (body.contains("name")) b["name"] = body["name"];
    if (body.contains("enabled")) b["enabled"] = body["enabled"];
    buildpacks.erase(it);
    std::int64_t position = body.contains("position") ? body["position"].get<std::int64_t>() : b["position"].get<std::int64_t>();
    std::size_t slot = Slot(buildpacks, position);
    buildpacks.insert(buildpacks.begin() + static_cast<std::ptrdiff_t>(slot), b);
    Renumber(buildpacks);
    return {200, buildpacks[slot]};
  }
  if (p.size() == 4 && p[3] == "upload" && c.method == "PUT") {
    std::string filename = "buildpack.zip";
    for (const auto& [k, v] : c.uri.getQueryParameters()) {
      if (k == "filename") filename = v;
    }
    (*it)["filename"] = filename;
    (*it)["state"] = "READY";
    buildpack_uploads[(*it)["name"].get<std::string>()] = c.raw;
    return {200, *it};
  }
  return r;
}

}  // namespace wharf::cli::testing
