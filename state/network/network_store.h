// Application security groups, their bindings to spaces, and container-to-container
// network policies, in SQL. Bound to one transaction. The store keeps rules as the
// JSON text it is given; validating them (Cloud Foundry's format) is the API's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/sql/db.h"

namespace wharf::state {

struct SecurityGroupRow {
  std::string guid;
  std::string name;
  std::string rules;             // JSON array in Cloud Foundry's format
  bool running_default = false;  // bound to every app's running containers
  bool staging_default = false;  // bound to every staging container
  std::string created_at, updated_at;
};

// A group bound to a space for one lifecycle: "running" or "staging".
struct SecurityGroupSpaceRow {
  std::string group_guid;
  std::string space_guid;
  std::string lifecycle;
};

// The source app's containers may reach the destination app's on start_port..end_port.
struct NetworkPolicyRow {
  std::string guid;
  std::string source_app_guid;
  std::string destination_app_guid;
  std::string protocol;  // "tcp" or "udp"
  int start_port = 0;    // 1..65535
  int end_port = 0;      // start_port..65535
  std::string created_at;
};

class NetworkStore {
 public:
  explicit NetworkStore(Tx& tx) : tx_(tx) {}

  // ---- security groups ----

  // kConflict "security group 'x' already exists".
  Status InsertGroup(const SecurityGroupRow& row);
  Result<std::optional<SecurityGroupRow>> FindGroup(std::string_view name);
  Result<std::vector<SecurityGroupRow>> ListGroups();  // by name
  // Writes name, rules, both defaults and updated_at of the group with row.guid.
  // kNotFound "security group 'guid' not found"; kConflict on a taken name.
  Status UpdateGroup(const SecurityGroupRow& row);
  // kNotFound "security group 'guid' not found". Its space bindings go with it.
  Status DeleteGroup(std::string_view guid);

  // ---- space bindings ----

  // Binding again is a no-op. kNotFound when the group or the space does not exist.
  // An unknown lifecycle is refused by the table's CHECK (kInternal).
  Status BindSpace(const SecurityGroupSpaceRow& row);
  // kNotFound when the group is not bound to the space for that lifecycle.
  Status UnbindSpace(const SecurityGroupSpaceRow& row);
  Result<std::vector<SecurityGroupSpaceRow>> ListSpaceBindings();  // all, by group, space, lifecycle

  // ---- network policies ----

  // kConflict "network policy already exists" (same source, destination, protocol and ports);
  // kNotFound when either app does not exist. A protocol other than tcp/udp or ports out of
  // range are refused by the table's CHECKs (kInternal). Policies go with either app.
  Status InsertPolicy(const NetworkPolicyRow& row);
  // Deletes the policy with exactly these five fields (source, destination, protocol, start
  // and end port; guid and created_at are ignored); kNotFound when there is none.
  Status DeletePolicy(const NetworkPolicyRow& row);
  Result<std::vector<NetworkPolicyRow>> ListPolicies();
  Result<std::int64_t> CountPoliciesFrom(std::string_view source_app_guid);  // by source, destination, protocol, start port, end port

 private:
  Tx& tx_;
};

}  // namespace wharf::state
