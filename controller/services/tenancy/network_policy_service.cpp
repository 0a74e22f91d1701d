#include "controller/services/tenancy/network_policy_service.h"

#include <map>

#include "api-model/platform/security_group.h"
#include "common/ids.h"
#include "state/apps/app_store.h"
#include "state/network/network_store.h"

namespace wharf::controller {
namespace {

Status ValidateProtocol(const std::string& protocol) {
  if (protocol == "tcp" || protocol == "udp") return Status::Ok();
  return Status::InvalidArgument("protocol must be 'tcp' or 'udp', not '" + protocol + "'");
}

std::string PortsText(int start, int end) {
  return start == end ? std::to_string(start) : std::to_string(start) + "-" + std::to_string(end);
}

}  // namespace

Result<api::PolicyPortRange> ParsePolicyPorts(const std::string& text) {
  auto range = api::ParsePortRange(text);
  if (!range.ok()) return range.status().WithContext("ports");
  return api::PolicyPortRange{range->first, range->last};
}

Result<std::vector<NetworkPolicy>> NetworkPolicyService::List(const std::optional<std::string>& app_guid) {
  return db_.Read<std::vector<NetworkPolicy>>([&](state::Tx& tx) -> Result<std::vector<NetworkPolicy>> {
    state::NetworkStore store(tx);
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto rows, store.ListPolicies());
    std::map<std::string, std::string> names;
    auto name_of = [&](const std::string& guid) -> Result<std::string> {
      auto it = names.find(guid);
      if (it != names.end()) return it->second;
      WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(guid));
      return names[guid] = app.name;
    };
    std::vector<NetworkPolicy> out;
    for (const auto& r : rows) {
      if (app_guid && r.source_app_guid != *app_guid && r.destination_app_guid != *app_guid) continue;
      WHARF_ASSIGN_OR_RETURN(auto from, name_of(r.source_app_guid));
      WHARF_ASSIGN_OR_RETURN(auto to, name_of(r.destination_app_guid));
      out.push_back(NetworkPolicy{{r.source_app_guid, from}, {r.destination_app_guid, to}, r.protocol,
                                  {r.start_port, r.end_port}, r.created_at});
    }
    return out;
  });
}

Result<NetworkPolicy> NetworkPolicyService::Add(const Actor& actor, const std::string& source_app_guid,
                                                const std::string& destination_app_guid, const std::string& protocol,
                                                const std::string& ports) {
  WHARF_RETURN_IF_ERROR(ValidateProtocol(protocol));
  WHARF_ASSIGN_OR_RETURN(auto range, ParsePolicyPorts(ports));
  return db_.Transact<NetworkPolicy>([&](state::Tx& tx) -> Result<NetworkPolicy> {
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto from, apps.Get(source_app_guid));
    WHARF_ASSIGN_OR_RETURN(auto to, apps.Get(destination_app_guid));
    state::NetworkStore store(tx);
    WHARF_ASSIGN_OR_RETURN(std::int64_t existing, store.CountPoliciesFrom(from.guid));
    if (existing >= kMaxPoliciesPerSource) {
      return Status::TooLarge("app " + from.name + " is the source of " + std::to_string(existing) +
                              " network policies, the most it may have; remove one first");
    }
    state::NetworkPolicyRow row{NewGuid(), from.guid, to.guid, protocol, range.start, range.end,
                                FormatRfc3339(clock_.Now())};
    Status inserted = store.InsertPolicy(row);
    if (inserted.code() == StatusCode::kConflict) {
      return Status::Conflict("a policy from " + from.name + " to " + to.name + " on " + protocol + " port " +
                              PortsText(range.start, range.end) + " already exists");
    }
    WHARF_RETURN_IF_ERROR(inserted);
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "network-policy-created",
                                         EventTarget{"app", from.guid, from.name, from.space_guid},
                                         {{"destination", to.name},
                                          {"protocol", protocol},
                                          {"ports", PortsText(range.start, range.end)}}));
    return NetworkPolicy{{from.guid, from.name}, {to.guid, to.name}, protocol, range, row.created_at};
  });
}

Status NetworkPolicyService::Remove(const Actor& actor, const std::string& source_app_guid,
                                    const std::string& destination_app_guid, const std::string& protocol,
                                    const std::string& ports) {
  WHARF_RETURN_IF_ERROR(ValidateProtocol(protocol));
  WHARF_ASSIGN_OR_RETURN(auto range, ParsePolicyPorts(ports));
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto from, apps.Get(source_app_guid));
    WHARF_ASSIGN_OR_RETURN(auto to, apps.Get(destination_app_guid));
    Status deleted = state::NetworkStore(tx).DeletePolicy(
        state::NetworkPolicyRow{"", from.guid, to.guid, protocol, range.start, range.end, ""});
    if (deleted.code() == StatusCode::kNotFound) {
      return Status::NotFound("no policy from " + from.name + " to " + to.name + " on " + protocol + " port " +
                              PortsText(range.start, range.end));
    }
    WHARF_RETURN_IF_ERROR(deleted);
    return events_.Record(tx, actor, "network-policy-deleted", EventTarget{"app", from.guid, from.name, from.space_guid},
                          {{"destination", to.name}, {"protocol", protocol}, {"ports", PortsText(range.start, range.end)}});
  });
}

}  // namespace wharf::controller
