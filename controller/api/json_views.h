// Resources as the API shows them (docs/api.md). Pure functions of the model;
// each fills the api-model wire struct of its resource and writes its ToJson,
// so the CLI reads exactly the shape written here.
#pragma once

#include <nlohmann/json.hpp>

#include "controller/platform/log_buffer.h"
#include "controller/services/apps/app_service.h"
#include "controller/services/builds/gc_service.h"
#include "controller/services/marketplace/service_instance_service.h"
#include "state/model.h"

namespace wharf::controller {

nlohmann::json AppJson(const AppView& view);
nlohmann::json ProcessJson(const state::Process& p);
nlohmann::json HealthCheckJson(const state::HealthCheck& hc);
nlohmann::json PackageJson(const state::Package& p);
nlohmann::json BuildJson(const state::Build& b);
nlohmann::json TaskJson(const state::Task& t);
nlohmann::json DropletJson(const state::Droplet& d);
nlohmann::json DomainJson(const state::Domain& d);
nlohmann::json BuildpackJson(const state::Buildpack& b);
nlohmann::json RouteJson(const state::Route& r);
nlohmann::json EventJson(const state::Event& e);
nlohmann::json LogLineJson(const LogLine& line);
nlohmann::json GcResultJson(const GcResult& r);
nlohmann::json ServiceInstanceJson(const InstanceView& view);
nlohmann::json ServiceBindingJson(const state::ServiceBinding& b);  // without credentials
nlohmann::json BindingDetailsJson(const state::ServiceBinding& b);  // the credentials
nlohmann::json ServiceRotationJson(const state::ServiceRotation& r);

// Renders every item of a list with `render`.
template <typename T, typename Render>
nlohmann::json JsonList(const std::vector<T>& items, Render render) {
  nlohmann::json out = nlohmann::json::array();
  for (const T& item : items) out.push_back(render(item));
  return out;
}

}  // namespace wharf::controller
