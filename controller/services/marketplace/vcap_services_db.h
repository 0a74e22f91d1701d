// An app's VCAP_SERVICES from the database: its app bindings whose creation
// succeeded, with their instances (and, for managed ones, offering and plan),
// in Cloud Foundry's shape (services/vcap_services.h); during a credential
// rotation, the new binding instead of the old one once the broker made it. Read inside the
// caller's transaction, so the env and the desired state see one snapshot.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "state/sql/db.h"

namespace wharf::controller {

Result<nlohmann::json> ReadVcapServices(state::Tx& tx, const std::string& app_guid);

}  // namespace wharf::controller
