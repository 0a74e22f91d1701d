// Custom metrics an app posts about itself with its own credential (HTTP Basic; no user
// token): App Autoscaler's path POST /v1/apps/:guid/metrics and Wharf's earlier
// /v1/apps/:guid/autoscaling/custom-metrics. Registered on the API and, alone, on the metrics
// forwarder that the router serves to apps as autoscaler-metrics.<domain>.
#include "controller/api/api_context.h"

namespace wharf::controller {

void AddCustomMetricsHandlers(HttpRouter& router, ApiContext& ctx) {
  auto post = [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    if (ctx.custom_metrics == nullptr) return Status::Unavailable("the autoscaler is not running in this wharfd");
    WHARF_ASSIGN_OR_RETURN(nlohmann::json body, req.JsonBody());
    WHARF_RETURN_IF_ERROR(ctx.custom_metrics->Post(req.Param("guid"), req.Header("Authorization"), body));
    res.NoContent();
    return Status::Ok();
  };
  router.Add("POST", "/v1/apps/:guid/metrics", post, Access::kPublic);
  router.Add("POST", "/v1/apps/:guid/autoscaling/custom-metrics", post, Access::kPublic);
}

}  // namespace wharf::controller
