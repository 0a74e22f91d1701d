#include "controller/dataplane/orchestration/deployment_driver.h"

#include "controller/dataplane/desired_state_db.h"
#include "state/apps/app_store.h"
#include "state/apps/deployment_store.h"

namespace wharf::controller {
namespace {

struct Work {
  deployments::Deployment deployment;
  std::string new_version;
  int instances = 0;
};

}  // namespace

deployments::Observation Observe(const std::vector<InstanceReport>& reports, const std::string& new_version,
                                 int desired_instances) {
  deployments::Observation o;
  o.desired_instances = desired_instances;
  for (const InstanceReport& r : reports) {
    const bool is_new = r.version == new_version;
    // An instance restarted after a crash (STARTING with a crash count) counts as crashed:
    // immediate restarts make the CRASHED state itself short.
    const bool crashed = r.state == "CRASHED" || (r.state == "STARTING" && r.crash_count > 0);
    if (is_new) {
      if (r.state == "RUNNING") ++o.new_running;
      if (crashed) ++o.new_crashed;
    } else if (r.state == "RUNNING" || r.state == "STARTING") {
      ++o.old_running;
    }
  }
  // A new instance that crashes while the previous revision still serves stops the
  // deployment: the previous revision keeps serving.
  o.new_abandoned = o.new_crashed > 0 && o.old_running > 0;
  return o;
}

Status DeploymentDriver::Tick() {
  auto work = db_.Read<std::vector<Work>>([&](state::Tx& tx) -> Result<std::vector<Work>> {
    std::vector<Work> out;
    WHARF_ASSIGN_OR_RETURN(auto active, state::DeploymentStore(tx).AllActive());
    for (const state::DeploymentRecord& r : active) {
      WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(r.app_guid));
      WHARF_ASSIGN_OR_RETURN(auto web, state::ProcessStore(tx).Find(r.app_guid, "web"));
      if (!web) continue;
      out.push_back(Work{FromRecord(r), InstanceVersion(app, *web), web->instances});
    }
    return out;
  });
  if (!work.ok()) return work.status();
  for (const Work& w : *work) {
    auto reports = instances_.Instances(w.deployment.app_guid, "web");
    if (!reports) return Status::Ok();  // no cell: nothing runs, nothing to decide
    deployments::Decision decision =
        deployments::Decide(w.deployment, Observe(*reports, w.new_version, w.instances));
    if (decision.state != w.deployment.state) {
      WHARF_RETURN_IF_ERROR(service_.Apply(w.deployment.guid, decision));
    }
  }
  return Status::Ok();
}

void DeploymentDriver::Start(std::chrono::milliseconds period, std::function<bool()> leads) {
  timer_.Start(period, WhileLeading(std::move(leads), [this] { (void)Tick(); }));
}

}  // namespace wharf::controller
