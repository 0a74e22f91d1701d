// Application security groups, as Cloud Foundry has them: named sets of egress rules
// (`create-security-group NAME rules.json`), applied to every running or staging container of the
// platform (the running and staging defaults: `bind-running-security-group`,
// `bind-staging-security-group`) or of one space (`bind-security-group NAME ORG --space SPACE
// --lifecycle running|staging`). Without a group, a container reaches only the router's port.
// Changes take effect on running containers within a second (NetworkPlanSync), without a restart
// (Cloud Foundry's dynamic ASGs). Every change is an audit event (security-group-created, -updated,
// -deleted, -bound, -unbound). The admin role is the caller's check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api-model/platform/security_group.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "state/sql/db.h"

namespace wharf::controller {

using api::SecurityGroup;

struct SecurityGroupChanges {
  std::optional<std::string> name;
  std::optional<nlohmann::json> rules;  // Cloud Foundry's rules array
  std::optional<bool> running_default;
  std::optional<bool> staging_default;
};

// Letters, digits, '_', '-' and '.', 1..250 characters. kInvalidArgument.
Status ValidateSecurityGroupName(std::string_view name);

class SecurityGroupService {
 public:
  SecurityGroupService(state::Database& db, const Clock& clock, EventRecorder& events)
      : db_(db), clock_(clock), events_(events) {}

  Result<std::vector<SecurityGroup>> List();  // by name
  Result<SecurityGroup> Get(const std::string& name);  // kNotFound "security group 'x' not found"
  // kInvalidArgument naming the rule and field; kConflict for a taken name.
  Result<SecurityGroup> Create(const Actor& actor, const std::string& name, const nlohmann::json& rules);
  Result<SecurityGroup> Update(const Actor& actor, const std::string& name, const SecurityGroupChanges& changes);
  Status Delete(const Actor& actor, const std::string& name);
  // To one space of one org, by their names; idempotent. kNotFound naming the org or space.
  Status BindSpace(const Actor& actor, const std::string& name, const std::string& org, const std::string& space,
                   const std::string& lifecycle);
  // kNotFound when not bound.
  Status UnbindSpace(const Actor& actor, const std::string& name, const std::string& org, const std::string& space,
                     const std::string& lifecycle);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
};

}  // namespace wharf::controller
