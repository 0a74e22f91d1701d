#include "controller/dataplane/orchestration/rotation_driver.h"

#include <vector>

#include "controller/dataplane/desired_state_db.h"
#include "state/apps/app_store.h"

namespace wharf::controller {

Result<std::optional<bool>> RotationDriver::OldInstancesLeft(const std::string& app_guid) {
  struct Want {
    std::string type;
    std::string version;
  };
  auto wants = db_.Read<std::vector<Want>>([&](state::Tx& tx) -> Result<std::vector<Want>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    WHARF_ASSIGN_OR_RETURN(auto processes, state::ProcessStore(tx).ListForApp(app_guid));
    std::vector<Want> out;
    for (const state::Process& p : processes) out.push_back(Want{p.type, InstanceVersion(app, p)});
    return out;
  });
  if (!wants.ok()) return wants.status();
  for (const Want& w : *wants) {
    auto reports = instances_.Instances(app_guid, w.type);
    if (!reports) return std::optional<bool>();  // no cell: nothing runs here
    for (const InstanceReport& r : *reports) {
      if (r.version != w.version) return std::optional<bool>(true);
    }
  }
  return std::optional<bool>(false);
}

Status RotationDriver::Tick() {
  return service_.Tick([this](const std::string& app_guid) { return OldInstancesLeft(app_guid); });
}

void RotationDriver::Start(std::chrono::milliseconds period, std::function<bool()> leads) {
  timer_.Start(period, WhileLeading(std::move(leads), [this] { (void)Tick(); }));
}

}  // namespace wharf::controller
