#include "controller/services/marketplace/service_broker_service.h"

#include "common/ids.h"
#include "services/catalog.h"
#include "services/osb_client.h"
#include "state/platform/broker_store.h"

namespace wharf::controller {

using state::BrokerStore;
using state::Tx;

namespace {

EventTarget TargetOf(const state::ServiceBroker& b) { return EventTarget{"service_broker", b.guid, b.name, std::nullopt}; }

Status Validate(const NewBroker& spec) {
  if (spec.name.empty() || spec.name.size() > 255) return Status::InvalidArgument("broker name must be 1-255 characters");
  if (spec.url.rfind("http://", 0) != 0 || spec.url.size() <= 7) {
    return Status::InvalidArgument("broker url '" + spec.url + "' must be an http:// URL");
  }
  if (spec.username.empty()) return Status::InvalidArgument("broker username must not be empty");
  if (spec.password.empty()) return Status::InvalidArgument("broker password must not be empty");
  return Status::Ok();
}

// Stores (inserts or updates by the catalog's ids) every offering and plan of `catalog`;
// `make_public`: every plan is enabled for everyone.
// `kept`, when given, collects the offerings' and plans' guids (for PruneCatalog).
struct KeptCatalog {
  std::vector<std::string> offerings, plans;
};

Status StoreCatalog(state::BrokerStore& store, const state::ServiceBroker& broker,
                    const std::vector<services::CatalogService>& catalog, bool make_public,
                    KeptCatalog* kept = nullptr) {
  for (const services::CatalogService& s : catalog) {
    state::ServiceOffering o;
    o.guid = NewGuid();
    o.broker_guid = broker.guid;
    o.broker_id = s.id;
    o.name = s.name;
    o.description = s.description;
    o.bindable = s.bindable;
    o.plan_updateable = s.plan_updateable;
    o.instances_retrievable = s.instances_retrievable;
    o.bindings_retrievable = s.bindings_retrievable;
    o.tags = s.tags;
    o.requires_ = s.requires_;
    o.metadata = s.metadata;
    o.created_at = broker.created_at;
    Result<std::string> offering_guid = store.UpsertOffering(o);
    if (!offering_guid.ok()) return offering_guid.status();
    if (kept) kept->offerings.push_back(*offering_guid);
    for (const services::CatalogPlan& p : s.plans) {
      state::ServicePlan plan;
      plan.guid = NewGuid();
      plan.offering_guid = *offering_guid;
      plan.broker_id = p.id;
      plan.name = p.name;
      plan.description = p.description;
      plan.free = p.free;
      plan.bindable = p.bindable;
      plan.plan_updateable = p.plan_updateable;
      plan.maximum_polling_duration = p.maximum_polling_duration;
      plan.created_at = broker.created_at;
      WHARF_ASSIGN_OR_RETURN(auto plan_guid, store.UpsertPlan(plan));
      if (kept) kept->plans.push_back(plan_guid);
      if (make_public) WHARF_RETURN_IF_ERROR(store.SetPlanPublic(plan_guid, true));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<state::ServiceBroker> ServiceBrokerService::Create(const Actor& actor, const NewBroker& spec) {
  WHARF_RETURN_IF_ERROR(Validate(spec));
  services::OsbClient client({spec.url, spec.username, spec.password, broker_timeout_});
  WHARF_ASSIGN_OR_RETURN(auto catalog, client.Catalog());
  WHARF_ASSIGN_OR_RETURN(auto parsed, services::ParseCatalog(catalog));
  state::ServiceBroker broker{NewGuid(), spec.name, spec.url, spec.username, spec.password, "", ""};
  broker.created_at = broker.updated_at = FormatRfc3339(clock_.Now());
  return db_.Transact<state::ServiceBroker>([&](state::Tx& tx) -> Result<state::ServiceBroker> {
    state::BrokerStore store(tx);
    WHARF_RETURN_IF_ERROR(store.InsertBroker(broker));
    WHARF_RETURN_IF_ERROR(StoreCatalog(store, broker, parsed, false));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "service-broker-created", TargetOf(broker),
                                         {{"url", broker.url}, {"services", parsed.size()}}));
    return broker;
  });
}

Result<state::ServiceBroker> ServiceBrokerService::RegisterBuiltin(const NewBroker& spec) {
  WHARF_RETURN_IF_ERROR(Validate(spec));
  services::OsbClient client({spec.url, spec.username, spec.password, broker_timeout_});
  WHARF_ASSIGN_OR_RETURN(auto catalog, client.Catalog());
  WHARF_ASSIGN_OR_RETURN(auto parsed, services::ParseCatalog(catalog));
  const std::string now = FormatRfc3339(clock_.Now());
  return db_.Transact<state::ServiceBroker>([&](state::Tx& tx) -> Result<state::ServiceBroker> {
    state::BrokerStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto existing, store.FindBrokerByName(spec.name));
    state::ServiceBroker broker;
    if (existing) {
      broker = *existing;
      broker.url = spec.url;
      broker.username = spec.username;
      broker.password = spec.password;
      broker.updated_at = now;
      WHARF_RETURN_IF_ERROR(store.UpdateBroker(broker));
    } else {
      broker = state::ServiceBroker{NewGuid(), spec.name, spec.url, spec.username, spec.password, now, now};
      WHARF_RETURN_IF_ERROR(store.InsertBroker(broker));
      WHARF_RETURN_IF_ERROR(events_.Record(tx, Actor::System(), "service-broker-created", TargetOf(broker),
                                           {{"url", broker.url}, {"services", parsed.size()}, {"builtin", true}}));
    }
    WHARF_RETURN_IF_ERROR(StoreCatalog(store, broker, parsed, true));
    return broker;
  });
}

Result<state::ServiceBroker> ServiceBrokerService::Update(const Actor& actor, const std::string& guid,
                                                          const BrokerPatch& patch) {
  Result<state::ServiceBroker> current =
      db_.Read<state::ServiceBroker>([&](state::Tx& tx) { return state::BrokerStore(tx).GetBroker(guid); });
  if (!current.ok()) return current.status();
  NewBroker spec{patch.name.value_or(current->name), patch.url.value_or(current->url),
                 patch.username.value_or(current->username), patch.password.value_or(current->password)};
  WHARF_RETURN_IF_ERROR(Validate(spec));
  services::OsbClient client({spec.url, spec.username, spec.password, broker_timeout_});
  Result<nlohmann::json> catalog = client.Catalog();
  if (!catalog.ok()) return catalog.status().WithContext("service broker '" + current->name + "' was not changed");
  auto parsed = services::ParseCatalog(*catalog);
  if (!parsed.ok()) return parsed.status().WithContext("service broker '" + current->name + "' was not changed");
  return db_.Transact<state::ServiceBroker>([&](state::Tx& tx) -> Result<state::ServiceBroker> {
    state::BrokerStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto broker, store.GetBroker(guid));
    if (spec.name != broker.name) {
      WHARF_ASSIGN_OR_RETURN(auto taken, store.FindBrokerByName(spec.name));
      if (taken) return Status::Conflict("service broker '" + spec.name + "' already exists");
    }
    nlohmann::json changed = nlohmann::json::array();
    if (spec.name != broker.name) changed.push_back("name");
    if (spec.url != broker.url) changed.push_back("url");
    if (spec.username != broker.username) changed.push_back("username");
    if (spec.password != broker.password) changed.push_back("password");
    broker.name = spec.name;
    broker.url = spec.url;
    broker.username = spec.username;
    broker.password = spec.password;
    broker.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.UpdateBroker(broker));
    KeptCatalog kept;
    WHARF_RETURN_IF_ERROR(StoreCatalog(store, broker, *parsed, false, &kept));
    // Offerings and plans gone from the catalog go too, unless instances still use them.
    WHARF_ASSIGN_OR_RETURN(auto still_used, store.PruneCatalog(broker.guid, kept.offerings, kept.plans));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "service-broker-updated", TargetOf(broker),
                                         {{"changed", changed},
                                          {"url", broker.url},
                                          {"services", parsed->size()},
                                          {"plans_gone_but_in_use", still_used}}));
    return broker;
  });
}

Result<std::vector<state::ServiceBroker>> ServiceBrokerService::List() {
  return db_.Read<std::vector<state::ServiceBroker>>(
      [](state::Tx& tx) { return state::BrokerStore(tx).ListBrokers(); });
}

Status ServiceBrokerService::Delete(const Actor& actor, const std::string& guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::BrokerStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto broker, store.GetBroker(guid));
    WHARF_RETURN_IF_ERROR(store.DeleteBroker(guid));
    return events_.Record(tx, actor, "service-broker-deleted", TargetOf(broker));
  });
}

Result<std::vector<OfferingView>> ServiceBrokerService::Marketplace() {
  return db_.Read<std::vector<OfferingView>>([](state::Tx& tx) -> Result<std::vector<OfferingView>> {
    state::BrokerStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto offerings, store.ListOfferings(std::nullopt));
    std::vector<OfferingView> out;
    for (state::ServiceOffering& o : offerings) {
      WHARF_ASSIGN_OR_RETURN(auto plans, store.ListPlans(o.guid));
      out.push_back(OfferingView{std::move(o), std::move(plans)});
    }
    return out;
  });
}

Result<state::ServicePlan> ServiceBrokerService::SetPlanPublic(const Actor& actor, const std::string& plan_guid,
                                                               bool is_public) {
  return db_.Transact<state::ServicePlan>([&](state::Tx& tx) -> Result<state::ServicePlan> {
    state::BrokerStore store(tx);
    WHARF_RETURN_IF_ERROR(store.SetPlanPublic(plan_guid, is_public));
    WHARF_ASSIGN_OR_RETURN(auto plan, store.GetPlan(plan_guid));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, is_public ? "service-plan-enabled" : "service-plan-disabled",
                                         EventTarget{"service_plan", plan.guid, plan.name, std::nullopt}));
    return plan;
  });
}

}  // namespace wharf::controller
