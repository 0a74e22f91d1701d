#include "state/apps/build_store.h"

#include <nlohmann/json.hpp>

namespace wharf::state {
namespace {

constexpr std::string_view kColumns =
    "guid, app_guid, package_guid, state, error, droplet_guid, created_at, updated_at, steps";

// builds.steps: {"prepare_ms": .., "buildpacks_ms": .., "droplet_ms": .., "cache_ms": ..} or ''.
std::string StepsText(const std::optional<StagingSteps>& steps) {
  if (!steps) return "";
  return nlohmann::json{{"prepare_ms", steps->prepare_ms},
                        {"buildpacks_ms", steps->buildpacks_ms},
                        {"droplet_ms", steps->droplet_ms},
                        {"cache_ms", steps->cache_ms}}
      .dump();
}

std::optional<StagingSteps> ParseSteps(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto ms = [&](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
  };
  return StagingSteps{ms("prepare_ms"), ms("buildpacks_ms"), ms("droplet_ms"), ms("cache_ms")};
}

Result<Build> ReadBuild(Statement& st) {
  Build b;
  b.guid = st.Text(0);
  b.app_guid = st.Text(1);
  b.package_guid = st.Text(2);
  Result<BuildState> state = ParseBuildState(st.Text(3));
  if (!state.ok()) return Status::Internal("build " + b.guid + ": " + state.status().message());
  b.state = *state;
  b.error = st.OptionalText(4);
  b.droplet_guid = st.OptionalText(5);
  b.created_at = st.Text(6);
  b.updated_at = st.Text(7);
  b.steps = ParseSteps(st.Text(8));
  return b;
}

std::string Select(std::string_view rest) { return "SELECT " + std::string(kColumns) + " FROM builds " + std::string(rest); }

}  // namespace

Status BuildStore::Insert(const Build& b) {
  return tx_.Run(
      "INSERT INTO builds (guid, app_guid, package_guid, state, error, droplet_guid, created_at, updated_at, steps) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      b.guid, b.app_guid, b.package_guid, BuildStateName(b.state), b.error, b.droplet_guid, b.created_at,
      b.updated_at, StepsText(b.steps));
}

Status BuildStore::Update(const Build& b) {
  WHARF_RETURN_IF_ERROR(
      tx_.Run("UPDATE builds SET state = ?, error = ?, droplet_guid = ?, updated_at = ?, steps = ? WHERE guid = ?",
              BuildStateName(b.state), b.error, b.droplet_guid, b.updated_at, StepsText(b.steps), b.guid));
  if (tx_.Changes() == 0) return Status::NotFound("build '" + b.guid + "' not found");
  return Status::Ok();
}

Result<Build> BuildStore::Get(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto b, FetchOne<Build>(tx_.Query(Select("WHERE guid = ?"), guid), ReadBuild));
  if (!b) return Status::NotFound("build '" + std::string(guid) + "' not found");
  return std::move(*b);
}

Result<Page<Build>> BuildStore::ListForApp(std::string_view app_guid, const PageRequest& page) {
  WHARF_ASSIGN_OR_RETURN(std::int64_t total,
                         FetchInt(tx_.Query("SELECT COUNT(*) FROM builds WHERE app_guid = ?", app_guid)));
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<Build>(
      tx_.Query(Select("WHERE app_guid = ? ORDER BY id DESC LIMIT ? OFFSET ?"), app_guid, page.per_page, page.Offset()),
      ReadBuild));
  return Page<Build>{std::move(items), total};
}

Result<std::set<std::string>> BuildStore::PackagesBeingStaged() {
  WHARF_ASSIGN_OR_RETURN(auto guids, FetchAll<std::string>(tx_.Query("SELECT DISTINCT package_guid FROM builds WHERE state = 'STAGING'"),
                                     [](Statement& st) -> Result<std::string> { return st.Text(0); }));
  return std::set<std::string>(guids.begin(), guids.end());
}

Result<std::vector<Build>> BuildStore::ListStaging() {
  return FetchAll<Build>(tx_.Query(Select("WHERE state = 'STAGING' ORDER BY id")), ReadBuild);
}

Status BuildStore::DeleteForApp(std::string_view app_guid) {
  return tx_.Run("DELETE FROM builds WHERE app_guid = ?", app_guid);
}

}  // namespace wharf::state
