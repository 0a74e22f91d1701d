#include "controller/http/http_router.h"

#include <doctest/doctest.h>

namespace wharf::controller {
namespace {

Handler Named(std::string* out, std::string name) {
  return [out, name](ApiRequest&, ApiResponse&) {
    *out = name;
    return Status::Ok();
  };
}

TEST_CASE("HttpRouter matches parameters and prefers literal segments") {
  HttpRouter router;
  std::string hit;
  router.Add("GET", "/v1/apps/:guid", Named(&hit, "app"));
  router.Add("GET", "/v1/apps/:guid/droplets/:droplet", Named(&hit, "droplet"));
  router.Add("GET", "/v1/apps/:guid/droplets/current", Named(&hit, "current"));
  router.Add("GET", "/v1/info", Named(&hit, "info"), Access::kPublic);

  auto m = router.Match("GET", "/v1/apps/abc");
  REQUIRE(m.ok());
  CHECK(m->params.at("guid") == "abc");
  CHECK(m->access == Access::kAuthenticated);

  m = router.Match("GET", "/v1/apps/abc/droplets/current");
  REQUIRE(m.ok());
  CHECK(m->params.size() == 1);
  CHECK(m->params.at("guid") == "abc");

  m = router.Match("GET", "/v1/apps/abc/droplets/d1");
  REQUIRE(m.ok());
  CHECK(m->params.at("droplet") == "d1");

  m = router.Match("GET", "/v1/info");
  REQUIRE(m.ok());
  CHECK(m->access == Access::kPublic);
}

TEST_CASE("HttpRouter says which endpoint is missing and which method is unsupported") {
  HttpRouter router;
  std::string hit;
  router.Add("GET", "/v1/apps", Named(&hit, "list"));
  auto none = router.Match("GET", "/v1/nope");
  CHECK(none.status().code() == StatusCode::kNotFound);
  CHECK(none.status().message() == "no endpoint GET /v1/nope");
  auto method = router.Match("PUT", "/v1/apps");
  CHECK(method.status().message() == "endpoint /v1/apps does not support PUT");
  CHECK(!router.Match("GET", "/v1/apps/").ok());
  CHECK(!router.Match("GET", "/v1//apps").ok());
}

TEST_CASE("SplitPath keeps empty segments") {
  CHECK(SplitPath("/v1/apps") == std::vector<std::string>{"v1", "apps"});
  CHECK(SplitPath("/v1//apps") == std::vector<std::string>{"v1", "", "apps"});
  CHECK(SplitPath("/").empty());
}

}  // namespace
}  // namespace wharf::controller
