// Revisions: list an app's revisions (with which are deployed and how many instances
// run each), roll back to one.
#include <limits>
#include <map>

#include "api-model/apps/revision.h"
#include "common/facts/revision_tag.h"
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

// Starting or running instances of the app per revision, as the cell reports them.
std::map<std::int64_t, std::int64_t> InstancesPerRevision(ApiContext& ctx, const AppView& app) {
  std::map<std::int64_t, std::int64_t> out;
  for (const state::Process& p : app.processes) {
    auto reports = ctx.instances.Instances(app.app.guid, p.type);
    if (!reports) continue;
    for (const InstanceReport& r : *reports) {
      if (r.state != "RUNNING" && r.state != "STARTING") continue;
      if (auto revision = RevisionOfTag(r.version)) ++out[*revision];
    }
  }
  return out;
}

api::Revision RevisionJsonOf(const RevisionView& view, const AppView& app,
                             const std::map<std::int64_t, std::int64_t>& instances) {
  const state::Revision& r = view.revision;
  api::Revision out;
  out.guid = r.guid;
  out.version = r.version;
  out.description = r.description;
  out.droplet_guid = r.droplet_guid;
  out.commands = r.commands;
  out.deployable = view.deployable;
  auto it = instances.find(r.version);
  out.instances = it == instances.end() ? 0 : it->second;
  out.deployed = out.instances > 0 || (app.app.state == state::AppState::kStarted && app.app.run_revision == r.version);
  out.rolled_back_from = r.rolled_back_from;
  out.created_at = r.created_at;
  return out;
}

}  // namespace

void AddRevisionHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/apps/:guid/revisions", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto app, ctx.apps.Get(req.Param("guid")));
    WHARF_ASSIGN_OR_RETURN(auto revisions, ctx.revisions.List(app.app.guid));
    std::map<std::int64_t, std::int64_t> instances = InstancesPerRevision(ctx, app);
    nlohmann::json items = nlohmann::json::array();
    for (const RevisionView& r : revisions) items.push_back(RevisionJsonOf(r, app, instances).ToJson());
    res.Json(200, {{"resources", items}});
    return Status::Ok();
  });

  // {"version": N}: deploy revision N again as a new revision.
  router.Add("POST", "/v1/apps/:guid/actions/rollback", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"version"}));
    WHARF_ASSIGN_OR_RETURN(auto version, body.Integer("version", 1, std::numeric_limits<std::int32_t>::max()));
    if (!version) return Status::InvalidArgument("field 'version' is required: the revision to roll back to");
    // Revision N's instances still serve as the baseline of an active deployment (a canary is replacing
    // them): the rollback is that deployment's cancel, a router weight flip with no instance to start.
    const std::string& guid = req.Param("guid");
    WHARF_ASSIGN_OR_RETURN(bool flipped, ctx.deployments.FlipBackTo(req.actor(), guid, *version));
    if (flipped) {
      WHARF_ASSIGN_OR_RETURN(AppView app, ctx.apps.Get(guid));
      WHARF_ASSIGN_OR_RETURN(std::vector<RevisionView> all, ctx.revisions.List(guid));
      for (const RevisionView& r : all) {
        if (r.revision.version == *version) {
          res.Json(200, RevisionJsonOf(r, app, {}).ToJson());
          return Status::Ok();
        }
      }
      return Status::Internal("revision " + std::to_string(*version) + " vanished during the rollback");
    }
    WHARF_ASSIGN_OR_RETURN(auto rolled, ctx.revisions.Rollback(req.actor(), req.Param("guid"), *version));
    WHARF_ASSIGN_OR_RETURN(auto app, ctx.apps.Get(req.Param("guid")));
    res.Json(201, RevisionJsonOf(RevisionView{rolled, true}, app, {}).ToJson());
    return Status::Ok();
  });
}

}  // namespace wharf::controller
