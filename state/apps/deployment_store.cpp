#include "state/apps/deployment_store.h"

#include "state/store_json.h"

namespace wharf::state {
namespace {

constexpr std::string_view kColumns =
    "guid, app_guid, strategy, state, revision, previous_revision, previous_generation, previous_droplet_guid, "
    "max_in_flight, instance_steps, canary_weights, step, reason, created_at, updated_at, analysis_interval_secs, "
    "analysis_probe_path, analysis_progress";

constexpr std::string_view kActive = "state IN ('DEPLOYING', 'PAUSED')";

std::string Select(std::string_view rest) {
  return "SELECT " + std::string(kColumns) + " FROM deployments " + std::string(rest);
}

Result<std::vector<int>> ReadInts(const std::string& text, const std::string& what) {
  WHARF_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonColumn(text, what));
  std::vector<int> out;
  for (const auto& v : j) {
    if (v.is_number_integer()) out.push_back(v.get<int>());
  }
  return out;
}

Result<DeploymentRecord> ReadDeployment(Statement& st) {
  DeploymentRecord d;
  d.guid = st.Text(0);
  d.app_guid = st.Text(1);
  d.strategy = st.Text(2);
  d.state = st.Text(3);
  d.revision = st.Int(4);
  d.previous_revision = st.Int(5);
  d.previous_generation = st.Int(6);
  d.previous_droplet_guid = st.Text(7);
  d.max_in_flight = static_cast<int>(st.Int(8));
  WHARF_ASSIGN_OR_RETURN(std::vector<int> steps, ReadInts(st.Text(9), "instance steps of deployment " + d.guid));
  d.instance_steps = std::move(steps);
  WHARF_ASSIGN_OR_RETURN(std::vector<int> weights, ReadInts(st.Text(10), "canary weights of deployment " + d.guid));
  d.canary_weights = std::move(weights);
  d.step = static_cast<int>(st.Int(11));
  d.reason = st.Text(12);
  d.created_at = st.Text(13);
  d.updated_at = st.Text(14);
  d.analysis_interval_secs = static_cast<int>(st.Int(15));
  d.analysis_probe_path = st.Text(16);
  d.analysis_progress = st.Text(17);
  return d;
}

}  // namespace

Status DeploymentStore::Insert(const DeploymentRecord& d) {
  WHARF_ASSIGN_OR_RETURN(WriteOutcome written, tx_.RunUnlessDuplicate(
      "INSERT INTO deployments (" + std::string(kColumns) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      d.guid, d.app_guid, d.strategy, d.state, d.revision, d.previous_revision, d.previous_generation,
      d.previous_droplet_guid, d.max_in_flight, DumpJsonColumn(d.instance_steps), DumpJsonColumn(d.canary_weights),
      d.step, d.reason, d.created_at, d.updated_at, d.analysis_interval_secs, d.analysis_probe_path,
      d.analysis_progress));
  if (written == WriteOutcome::kDuplicate) {
    return Status::Conflict("app " + d.app_guid + " already has an active deployment: continue or cancel it first");
  }
  return Status::Ok();
}

Status DeploymentStore::Update(const DeploymentRecord& d) {
  WHARF_RETURN_IF_ERROR(tx_.Run("UPDATE deployments SET state = ?, step = ?, reason = ?, updated_at = ? WHERE guid = ?",
                                d.state, d.step, d.reason, d.updated_at, d.guid));
  if (tx_.Changes() == 0) return Status::NotFound("deployment '" + d.guid + "' not found");
  return Status::Ok();
}

Status DeploymentStore::SaveAnalysisProgress(std::string_view guid, std::string_view progress) {
  WHARF_RETURN_IF_ERROR(tx_.Run("UPDATE deployments SET analysis_progress = ? WHERE guid = ?", progress, guid));
  if (tx_.Changes() == 0) return Status::NotFound("deployment '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Result<DeploymentRecord> DeploymentStore::Get(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto d, FetchOne<DeploymentRecord>(tx_.Query(Select("WHERE guid = ?"), guid), ReadDeployment));
  if (!d) return Status::NotFound("deployment '" + std::string(guid) + "' not found");
  return std::move(*d);
}

Result<std::optional<DeploymentRecord>> DeploymentStore::Active(std::string_view app_guid) {
  return FetchOne<DeploymentRecord>(
      tx_.Query(Select("WHERE app_guid = ? AND " + std::string(kActive) + " ORDER BY id DESC LIMIT 1"), app_guid),
      ReadDeployment);
}

Result<std::optional<DeploymentRecord>> DeploymentStore::Latest(std::string_view app_guid) {
  return FetchOne<DeploymentRecord>(tx_.Query(Select("WHERE app_guid = ? ORDER BY id DESC LIMIT 1"), app_guid),
                                    ReadDeployment);
}

Result<std::vector<DeploymentRecord>> DeploymentStore::AllActive() {
  return FetchAll<DeploymentRecord>(tx_.Query(Select("WHERE " + std::string(kActive) + " ORDER BY id")),
                                    ReadDeployment);
}

Status DeploymentStore::DeleteForApp(std::string_view app_guid) {
  return tx_.Run("DELETE FROM deployments WHERE app_guid = ?", app_guid);
}

}  // namespace wharf::state
