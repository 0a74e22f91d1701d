// VCAP_SERVICES's shape, entry by entry, as Cloud Foundry writes it.
#include <doctest/doctest.h>

#include "services/vcap_services.h"

namespace wharf::services {
namespace {

using nlohmann::json;

TEST_CASE("A user-provided binding sits under user-provided, named after its instance, without plan") {
  BoundService ups;
  ups.label = kUserProvidedLabel;
  ups.instance_guid = "i1";
  ups.instance_name = "my-db";
  ups.binding_guid = "b1";
  ups.tags = {"sql"};
  ups.credentials = {{"uri", "postgres://u:p@h/db"}};
  ups.syslog_drain_url = "";
  json v = BuildVcapServices({ups});
  CHECK(v == json::parse(R"({"user-provided": [{
    "name": "my-db", "instance_guid": "i1", "instance_name": "my-db", "binding_guid": "b1",
    "binding_name": null, "label": "user-provided", "tags": ["sql"],
    "credentials": {"uri": "postgres://u:p@h/db"}, "syslog_drain_url": "", "volume_mounts": []}]})"));
}

TEST_CASE("Managed bindings are grouped by label, carry plan and provider, and the binding name wins") {
  BoundService a;
  a.label = "redis";
  a.plan = "small";
  a.instance_guid = "i1";
  a.instance_name = "cache";
  a.binding_guid = "b1";
  a.binding_name = "sessions";
  BoundService b = a;
  b.instance_name = "cache2";
  b.binding_name.reset();
  b.binding_guid = "b2";
  BoundService c = a;
  c.label = "postgresql";
  json v = BuildVcapServices({a, b, c});
  REQUIRE(v["redis"].size() == 2);
  CHECK(v["redis"][0]["name"] == "sessions");
  CHECK(v["redis"][0]["binding_name"] == "sessions");
  CHECK(v["redis"][0]["instance_name"] == "cache");
  CHECK(v["redis"][0]["plan"] == "small");
  CHECK(v["redis"][0]["provider"].is_null());
  CHECK(v["redis"][0]["syslog_drain_url"].is_null());
  CHECK(v["redis"][1]["name"] == "cache2");
  CHECK(v["redis"][1]["binding_name"].is_null());
  CHECK(v["postgresql"].size() == 1);
  CHECK(BuildVcapServices({}) == json::object());
}

TEST_CASE("Tags merge the offering's and the instance's without repeats") {
  CHECK(MergeTags(json{"redis", "cache"}, json{"cache", "sessions"}) == json{"redis", "cache", "sessions"});
  CHECK(MergeTags(nullptr, json{"x"}) == json{"x"});
}

}  // namespace
}  // namespace wharf::services
