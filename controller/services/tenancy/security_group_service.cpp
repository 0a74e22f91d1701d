#include "controller/services/tenancy/security_group_service.h"

#include <map>

#include "common/ids.h"
#include "state/network/network_store.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

constexpr std::size_t kMaxNameLength = 250;

EventTarget TargetOf(const state::SecurityGroupRow& g) { return EventTarget{"security_group", g.guid, g.name, std::nullopt}; }

Status ValidateLifecycle(const std::string& lifecycle) {
  if (lifecycle == "running" || lifecycle == "staging") return Status::Ok();
  return Status::InvalidArgument("lifecycle must be 'running' or 'staging', not '" + lifecycle + "'");
}

// The rules as stored (Cloud Foundry's JSON), checked.
Result<std::string> CheckedRules(const nlohmann::json& rules) {
  WHARF_ASSIGN_OR_RETURN(auto parsed, api::ParseSecurityGroupRules(rules));
  return api::SecurityGroupRulesJson(parsed).dump();
}

Result<state::SecurityGroupRow> FindRow(state::NetworkStore& store, const std::string& name) {
  WHARF_ASSIGN_OR_RETURN(auto row, store.FindGroup(name));
  if (!row) return Status::NotFound("security group '" + name + "' not found");
  return *row;
}

// The org and space named, as the space's guid.
Result<state::Space> FindSpace(state::Tx& tx, const std::string& org, const std::string& space) {
  state::UserStore users(tx);
  WHARF_ASSIGN_OR_RETURN(auto o, users.FindOrgByName(org));
  if (!o) return Status::NotFound("org '" + org + "' not found");
  WHARF_ASSIGN_OR_RETURN(auto s, users.FindSpace(o->guid, space));
  if (!s) return Status::NotFound("space '" + space + "' not found in org '" + org + "'");
  return *s;
}

struct GroupAndSpace {
  state::SecurityGroupRow group;
  state::Space space;
};
Result<GroupAndSpace> FindGroupAndSpace(state::Tx& tx, state::NetworkStore& store, const std::string& name,
                                        const std::string& org, const std::string& space) {
  WHARF_ASSIGN_OR_RETURN(auto row, FindRow(store, name));
  WHARF_ASSIGN_OR_RETURN(auto s, FindSpace(tx, org, space));
  return GroupAndSpace{row, s};
}

// A stored group with its rules parsed and its space bindings named.
Result<SecurityGroup> Assemble(state::Tx& tx, const state::SecurityGroupRow& row,
                               const std::vector<state::SecurityGroupSpaceRow>& bindings) {
  SecurityGroup g;
  g.guid = row.guid;
  g.name = row.name;
  g.running_default = row.running_default;
  g.staging_default = row.staging_default;
  g.created_at = row.created_at;
  g.updated_at = row.updated_at;
  auto json = nlohmann::json::parse(row.rules, nullptr, false);
  auto rules = api::ParseSecurityGroupRules(json);
  if (!rules.ok()) return rules.status().WithContext("security group '" + row.name + "' as stored");
  g.rules = std::move(rules).value();
  state::UserStore users(tx);
  for (const auto& b : bindings) {
    if (b.group_guid != row.guid) continue;
    WHARF_ASSIGN_OR_RETURN(auto space, users.GetSpace(b.space_guid));
    WHARF_ASSIGN_OR_RETURN(auto org, users.GetOrg(space.org_guid));
    g.spaces.push_back(api::SecurityGroupSpaceRef{org.name, space.name, space.guid, b.lifecycle});
  }
  return g;
}

}  // namespace

Status ValidateSecurityGroupName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return Status::InvalidArgument("a security group name must be 1 to " + std::to_string(kMaxNameLength) + " characters");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.';
    if (!ok) {
      return Status::InvalidArgument("security group name '" + std::string(name) +
                                     "' may hold only letters, digits, '_', '-' and '.'");
    }
  }
  return Status::Ok();
}

Result<std::vector<SecurityGroup>> SecurityGroupService::List() {
  return db_.Read<std::vector<SecurityGroup>>([&](state::Tx& tx) -> Result<std::vector<SecurityGroup>> {
    state::NetworkStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto rows, store.ListGroups());
    WHARF_ASSIGN_OR_RETURN(auto bindings, store.ListSpaceBindings());
    std::vector<SecurityGroup> out;
    for (const auto& row : rows) {
      WHARF_ASSIGN_OR_RETURN(auto g, Assemble(tx, row, bindings));
      out.push_back(std::move(g));
    }
    return out;
  });
}

Result<SecurityGroup> SecurityGroupService::Get(const std::string& name) {
  return db_.Read<SecurityGroup>([&](state::Tx& tx) -> Result<SecurityGroup> {
    state::NetworkStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto row, FindRow(store, name));
    WHARF_ASSIGN_OR_RETURN(auto bindings, store.ListSpaceBindings());
    return Assemble(tx, row, bindings);
  });
}

Result<SecurityGroup> SecurityGroupService::Create(const Actor& actor, const std::string& name,
                                                   const nlohmann::json& rules) {
  WHARF_RETURN_IF_ERROR(ValidateSecurityGroupName(name));
  WHARF_ASSIGN_OR_RETURN(auto text, CheckedRules(rules));
  return db_.Transact<SecurityGroup>([&](state::Tx& tx) -> Result<SecurityGroup> {
    state::NetworkStore store(tx);
    state::SecurityGroupRow row;
    row.guid = NewGuid();
    row.name = name;
    row.rules = text;
    row.created_at = row.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.InsertGroup(row));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "security-group-created", TargetOf(row),
                                         {{"rules", nlohmann::json::parse(row.rules)}}));
    return Assemble(tx, row, {});
  });
}

Result<SecurityGroup> SecurityGroupService::Update(const Actor& actor, const std::string& name,
                                                   const SecurityGroupChanges& changes) {
  if (changes.name) WHARF_RETURN_IF_ERROR(ValidateSecurityGroupName(*changes.name));
  std::optional<std::string> rules;
  if (changes.rules) {
    WHARF_ASSIGN_OR_RETURN(auto text, CheckedRules(*changes.rules));
    rules = text;
  }
  return db_.Transact<SecurityGroup>([&](state::Tx& tx) -> Result<SecurityGroup> {
    state::NetworkStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto row, FindRow(store, name));
    nlohmann::json data = nlohmann::json::object();
    if (changes.name && *changes.name != row.name) data["name"] = row.name = *changes.name;
    if (rules && *rules != row.rules) {
      row.rules = *rules;
      data["rules"] = nlohmann::json::parse(*rules);
    }
    if (changes.running_default && *changes.running_default != row.running_default) {
      data["running_default"] = row.running_default = *changes.running_default;
    }
    if (changes.staging_default && *changes.staging_default != row.staging_default) {
      data["staging_default"] = row.staging_default = *changes.staging_default;
    }
    if (!data.empty()) {
      row.updated_at = FormatRfc3339(clock_.Now());
      WHARF_RETURN_IF_ERROR(store.UpdateGroup(row));
      WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "security-group-updated", TargetOf(row), data));
    }
    WHARF_ASSIGN_OR_RETURN(auto bindings, store.ListSpaceBindings());
    return Assemble(tx, row, bindings);
  });
}

Status SecurityGroupService::Delete(const Actor& actor, const std::string& name) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::NetworkStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto row, FindRow(store, name));
    WHARF_RETURN_IF_ERROR(store.DeleteGroup(row.guid));
    return events_.Record(tx, actor, "security-group-deleted", TargetOf(row));
  });
}

Status SecurityGroupService::BindSpace(const Actor& actor, const std::string& name, const std::string& org,
                                       const std::string& space, const std::string& lifecycle) {
  WHARF_RETURN_IF_ERROR(ValidateLifecycle(lifecycle));
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::NetworkStore store(tx);
    WHARF_ASSIGN_OR_RETURN(GroupAndSpace found, FindGroupAndSpace(tx, store, name, org, space));
    WHARF_RETURN_IF_ERROR(store.BindSpace({found.group.guid, found.space.guid, lifecycle}));
    return events_.Record(tx, actor, "security-group-bound", TargetOf(found.group),
                          {{"org", org}, {"space", space}, {"lifecycle", lifecycle}});
  });
}

Status SecurityGroupService::UnbindSpace(const Actor& actor, const std::string& name, const std::string& org,
                                         const std::string& space, const std::string& lifecycle) {
  WHARF_RETURN_IF_ERROR(ValidateLifecycle(lifecycle));
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::NetworkStore store(tx);
    WHARF_ASSIGN_OR_RETURN(GroupAndSpace found, FindGroupAndSpace(tx, store, name, org, space));
    Status unbound = store.UnbindSpace({found.group.guid, found.space.guid, lifecycle});
    if (unbound.code() == StatusCode::kNotFound) {
      return Status::NotFound("security group '" + name + "' is not bound to space '" + space + "' of org '" + org +
                              "' for " + lifecycle);
    }
    WHARF_RETURN_IF_ERROR(unbound);
    return events_.Record(tx, actor, "security-group-unbound", TargetOf(found.group),
                          {{"org", org}, {"space", space}, {"lifecycle", lifecycle}});
  });
}

}  // namespace wharf::controller
