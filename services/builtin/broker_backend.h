// What a built-in broker's server side must do (PostgreSQL, Redis): the
// contract between BrokerCore (OSB semantics, the broker's records) and the
// code that speaks to a real server.
//
// Every resource is made in two steps so that nothing is orphaned even if
// wharfd is killed in between: Prepare* chooses the names and secrets (no side
// effect) and BrokerCore records them as "pending" before Create* touches the
// server; a failed Create*, and any record still pending at the next start, is
// undone with Destroy*, which must be idempotent (what is already gone is fine).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::services::builtin {

struct PlanSpec {
  std::string id;
  std::string name;
  std::string description;
  int limit = 0;  // PostgreSQL: connections per database; Redis: maxmemory in MiB
};

struct ServiceSpec {
  std::string id;
  std::string name;  // the label apps see in VCAP_SERVICES
  std::string description;
  std::vector<std::string> tags;
  std::vector<PlanSpec> plans;
};

class BrokerBackend {
 public:
  virtual ~BrokerBackend() = default;
  virtual const ServiceSpec& Service() const = 0;

  // Starts what the recorded instances need (a shared server, or one per instance).
  // Called once, before any other call, with every instance's `data`.
  virtual Status Start(const std::vector<nlohmann::json>& instances) = 0;
  // Stops the servers cleanly (their data stays). Idempotent.
  virtual void Stop() = 0;
  // The 127.0.0.1 ports its servers listen on now (what apps bound to it may be let through to).
  virtual std::vector<int> ServerPorts() = 0;

  // Names and secrets of a new instance of `plan`; no side effect.
  virtual Result<nlohmann::json> PrepareInstance(const PlanSpec& plan) = 0;
  virtual Status CreateInstance(const nlohmann::json& instance) = 0;
  // Removes the instance and its data. Idempotent.
  virtual Status DestroyInstance(const nlohmann::json& instance) = 0;

  virtual Result<nlohmann::json> PrepareBinding(const nlohmann::json& instance) = 0;
  // Creates the binding's user; returns its credentials (Cloud Foundry's shape).
  virtual Result<nlohmann::json> CreateBinding(const nlohmann::json& instance, const nlohmann::json& binding) = 0;
  // Revokes the binding's user and ends its sessions. Idempotent.
  virtual Status DestroyBinding(const nlohmann::json& instance, const nlohmann::json& binding) = 0;
};

}  // namespace wharf::services::builtin
