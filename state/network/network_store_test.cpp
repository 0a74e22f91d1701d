#include "state/network/network_store.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <tuple>

#include "common/ids.h"
#include "state/apps/app_store.h"
#include "state/migrations.h"
#include "state/platform/user_store.h"
#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

// A CHECK constraint's refusal, in either engine's words (SQLite's, PostgreSQL's).
bool IsCheckViolation(const Status& s) {
  return s.message().find("CHECK constraint failed") != std::string::npos ||
         s.message().find("violates check constraint") != std::string::npos;
}

constexpr const char* kPublicNetworksRules =
    R"([{"protocol":"all","destination":"1.0.0.0-9.255.255.255"},)"
    R"({"protocol":"all","destination":"11.0.0.0-100.63.255.255"},)"
    R"({"protocol":"all","destination":"100.128.0.0-126.255.255.255"},)"
    R"({"protocol":"all","destination":"128.0.0.0-169.253.255.255"},)"
    R"({"protocol":"all","destination":"169.255.0.0-172.15.255.255"},)"
    R"({"protocol":"all","destination":"172.32.0.0-192.167.255.255"},)"
    R"({"protocol":"all","destination":"192.169.0.0-223.255.255.255"}])";
constexpr const char* kDnsRules =
    R"([{"protocol":"tcp","destination":"0.0.0.0/0","ports":"53"},)"
    R"({"protocol":"udp","destination":"0.0.0.0/0","ports":"53"}])";

struct Fixture : testing::SpaceFixture {

  std::string InsertSpace(const std::string& name) {
    std::string guid = NewGuid();
    REQUIRE(db->Transact([&](Tx& tx) { return UserStore(tx).InsertSpace(Space{guid, org, name, "t"}); }).ok());
    return guid;
  }

  std::string InsertApp(const std::string& name) {
    App a;
    a.guid = NewGuid();
    a.space_guid = space;
    a.name = name;
    a.created_at = a.updated_at = "2026-01-01T00:00:00Z";
    Status s = db->Transact([&](Tx& tx) { return AppStore(tx).Insert(a); });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    return a.guid;
  }

  Status Write(const std::function<Status(NetworkStore&)>& fn) {
    return db->Transact([&](Tx& tx) {
      NetworkStore store(tx);
      return fn(store);
    });
  }

  std::vector<SecurityGroupRow> Groups() {
    auto rows = db->Read<std::vector<SecurityGroupRow>>([](Tx& tx) { return NetworkStore(tx).ListGroups(); });
    REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
    return *rows;
  }

  std::optional<SecurityGroupRow> Find(const std::string& name) {
    auto row = db->Read<std::optional<SecurityGroupRow>>([&](Tx& tx) { return NetworkStore(tx).FindGroup(name); });
    REQUIRE_MESSAGE(row.ok(), row.status().ToString());
    return *row;
  }

  std::vector<SecurityGroupSpaceRow> Bindings() {
    auto rows =
        db->Read<std::vector<SecurityGroupSpaceRow>>([](Tx& tx) { return NetworkStore(tx).ListSpaceBindings(); });
    REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
    return *rows;
  }

  std::vector<NetworkPolicyRow> Policies() {
    auto rows = db->Read<std::vector<NetworkPolicyRow>>([](Tx& tx) { return NetworkStore(tx).ListPolicies(); });
    REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
    return *rows;
  }
};

SecurityGroupRow Group(const std::string& name, const std::string& rules = "[]") {
  SecurityGroupRow g;
  g.guid = NewGuid();
  g.name = name;
  g.rules = rules;
  g.created_at = g.updated_at = "2026-01-01T00:00:00Z";
  return g;
}

NetworkPolicyRow Policy(const std::string& source, const std::string& destination, const std::string& protocol,
                        int start_port, int end_port) {
  return NetworkPolicyRow{NewGuid(), source, destination, protocol, start_port, end_port, "2026-01-01T00:00:00Z"};
}

std::vector<std::string> Names(const std::vector<SecurityGroupRow>& groups) {
  std::vector<std::string> out;
  for (const auto& g : groups) out.push_back(g.name);
  return out;
}

bool IsRfc3339Seconds(const std::string& t) {
  // 2026-01-01T00:00:00Z, as FormatRfc3339 writes it.
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

TEST_CASE("Migration 22 seeds Cloud Foundry's public_networks and dns groups, bound to staging only") {
  Fixture f;
  auto groups = f.Groups();
  REQUIRE(Names(groups) == std::vector<std::string>{"dns", "public_networks"});
  const SecurityGroupRow& dns = groups[0];
  const SecurityGroupRow& pub = groups[1];
  CHECK(dns.guid == "asg-dns");
  CHECK(dns.rules == kDnsRules);
  CHECK(pub.guid == "asg-public-networks");
  CHECK(pub.rules == kPublicNetworksRules);
  for (const SecurityGroupRow& g : groups) {
    CAPTURE(g.name);
    CHECK(g.staging_default);
    CHECK_FALSE(g.running_default);
    CHECK(IsRfc3339Seconds(g.created_at));
    CHECK(g.updated_at == g.created_at);
  }
  CHECK(f.Bindings().empty());
  CHECK(f.Policies().empty());
}

TEST_CASE("Migration 22 applies on a database at 21 that holds apps and spaces") {
  TempDir dir;
  FakeClock clock;
  auto db = Database::Open(dir / "w.db");
  REQUIRE(db.ok());
  REQUIRE(Migrate(**db, clock, 21).ok());
  REQUIRE((*db)->Transact([](Tx& tx) {
                 return tx.Exec(
                     "INSERT INTO orgs (guid, name, created_at) VALUES ('o1', 'org', 't');"
                     "INSERT INTO spaces (guid, org_guid, name, created_at) VALUES ('s1', 'o1', 'dev', 't');"
                     "INSERT INTO apps (guid, space_guid, name, state, buildpacks, stack, environment_variables, "
                     "created_at, updated_at) VALUES ('a1', 's1', 'one', 'STARTED', '[]', 'debian12', '{}', 't', 't')");
               }).ok());
  Status s = Migrate(**db, clock, 22);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(*CurrentSchemaVersion(**db) == 22);
  Status bound = (*db)->Transact([](Tx& tx) {
    NetworkStore store(tx);
    WHARF_RETURN_IF_ERROR(store.BindSpace({"asg-dns", "s1", "running"}));
    return store.InsertPolicy({"p1", "a1", "a1", "tcp", 8080, 8080, "t"});
  });
  CHECK_MESSAGE(bound.ok(), bound.ToString());
}

TEST_CASE("NetworkStore inserts, finds, lists, updates and deletes security groups") {
  Fixture f;
  SecurityGroupRow g = Group("internal", R"([{"protocol":"tcp","destination":"10.0.0.0/8","ports":"443"}])");
  g.running_default = true;
  REQUIRE(f.Write([&](NetworkStore& s) { return s.InsertGroup(g); }).ok());

  auto got = f.Find("internal");
  REQUIRE(got);
  CHECK(got->guid == g.guid);
  CHECK(got->rules == g.rules);
  CHECK(got->running_default);
  CHECK_FALSE(got->staging_default);
  CHECK(got->created_at == "2026-01-01T00:00:00Z");
  CHECK(got->updated_at == "2026-01-01T00:00:00Z");
  CHECK_FALSE(f.Find("nope"));
  CHECK(Names(f.Groups()) == std::vector<std::string>{"dns", "internal", "public_networks"});

  SUBCASE("a taken name is a conflict, naming it") {
    Status s = f.Write([&](NetworkStore& st) { return st.InsertGroup(Group("internal")); });
    CHECK(s.code() == StatusCode::kConflict);
    CHECK(s.message() == "security group 'internal' already exists");
    CHECK(f.Groups().size() == 3);
  }

  SUBCASE("update writes name, rules, both defaults and updated_at, and keeps created_at") {
    SecurityGroupRow u = g;
    u.name = "backends";
    u.rules = "[]";
    u.running_default = false;
    u.staging_default = true;
    u.created_at = "ignored";
    u.updated_at = "2026-02-02T00:00:00Z";
    REQUIRE(f.Write([&](NetworkStore& s) { return s.UpdateGroup(u); }).ok());
    CHECK_FALSE(f.Find("internal"));
    auto after = f.Find("backends");
    REQUIRE(after);
    CHECK(after->guid == g.guid);
    CHECK(after->rules == "[]");
    CHECK_FALSE(after->running_default);
    CHECK(after->staging_default);
    CHECK(after->created_at == "2026-01-01T00:00:00Z");
    CHECK(after->updated_at == "2026-02-02T00:00:00Z");
  }

  SUBCASE("renaming onto a taken name conflicts and changes nothing") {
    SecurityGroupRow u = g;
    u.name = "dns";
    Status s = f.Write([&](NetworkStore& st) { return st.UpdateGroup(u); });
    CHECK(s.code() == StatusCode::kConflict);
    CHECK(s.message() == "security group 'dns' already exists");
    CHECK(f.Find("internal"));
    CHECK(f.Find("dns")->guid == "asg-dns");
  }

  SUBCASE("updating an unknown group is not found") {
    SecurityGroupRow u = Group("ghost");
    u.guid = "no-such-guid";
    Status s = f.Write([&](NetworkStore& st) { return st.UpdateGroup(u); });
    CHECK(s.code() == StatusCode::kNotFound);
    CHECK(s.message() == "security group 'no-such-guid' not found");
    CHECK_FALSE(f.Find("ghost"));
  }

  SUBCASE("delete removes the group; deleting it again is not found") {
    REQUIRE(f.Write([&](NetworkStore& s) { return s.DeleteGroup(g.guid); }).ok());
    CHECK_FALSE(f.Find("internal"));
    Status s = f.Write([&](NetworkStore& st) { return st.DeleteGroup(g.guid); });
    CHECK(s.code() == StatusCode::kNotFound);
    CHECK(s.message() == "security group '" + g.guid + "' not found");
  }
}

TEST_CASE("NetworkStore binds spaces idempotently, unbinds, and lists bindings in order") {
  Fixture f;
  std::string other = f.InsertSpace("other");
  auto bind = [&](const SecurityGroupSpaceRow& b) { return f.Write([&](NetworkStore& s) { return s.BindSpace(b); }); };
  REQUIRE(bind({"asg-public-networks", f.space, "running"}).ok());
  REQUIRE(bind({"asg-dns", other, "staging"}).ok());
  REQUIRE(bind({"asg-dns", other, "running"}).ok());
  REQUIRE(bind({"asg-dns", f.space, "running"}).ok());
  CHECK(bind({"asg-dns", other, "running"}).ok());  // again: a no-op
  CHECK(bind({"asg-dns", other, "running"}).ok());

  // By group, then space (guids, so random here), then lifecycle.
  std::vector<SecurityGroupSpaceRow> want = {{"asg-dns", other, "running"},
                                             {"asg-dns", other, "staging"},
                                             {"asg-dns", f.space, "running"},
                                             {"asg-public-networks", f.space, "running"}};
  if (f.space < other) std::rotate(want.begin(), want.begin() + 2, want.begin() + 3);
  auto got = f.Bindings();
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].group_guid == want[i].group_guid);
    CHECK(got[i].space_guid == want[i].space_guid);
    CHECK(got[i].lifecycle == want[i].lifecycle);
  }

  SUBCASE("unbinding removes one lifecycle only; a missing binding is not found") {
    auto unbind = [&](const SecurityGroupSpaceRow& b) {
      return f.Write([&](NetworkStore& s) { return s.UnbindSpace(b); });
    };
    REQUIRE(unbind({"asg-dns", other, "running"}).ok());
    CHECK(f.Bindings().size() == 3);
    Status s = unbind({"asg-dns", other, "running"});
    CHECK(s.code() == StatusCode::kNotFound);
    CHECK(s.message() == "security group 'asg-dns' is not bound to space '" + other + "' for running");
    CHECK(unbind({"asg-public-networks", f.space, "staging"}).code() == StatusCode::kNotFound);
    CHECK(f.Bindings().size() == 3);
  }

  SUBCASE("an unknown group or space is not found; an unknown lifecycle is refused by the CHECK") {
    Status no_group = bind({"no-such-group", f.space, "running"});
    CHECK(no_group.code() == StatusCode::kNotFound);
    CHECK(no_group.message() == "security group 'no-such-group' or space '" + f.space + "' not found");
    CHECK(bind({"asg-dns", "no-such-space", "running"}).code() == StatusCode::kNotFound);
    // db.h maps only UNIQUE, PRIMARY KEY and FOREIGN KEY violations to kConflict; a CHECK is kInternal.
    CHECK(bind({"asg-dns", f.space, "build"}).code() == StatusCode::kInternal);
    CHECK(f.Bindings().size() == 4);
  }

  SUBCASE("deleting a group takes its bindings with it") {
    REQUIRE(f.Write([](NetworkStore& s) { return s.DeleteGroup("asg-dns"); }).ok());
    auto left = f.Bindings();
    REQUIRE(left.size() == 1);
    CHECK(left[0].group_guid == "asg-public-networks");
    CHECK(left[0].space_guid == f.space);
  }

  SUBCASE("deleting a space takes its bindings with it") {
    // No store deletes spaces today; the cascade is the schema's.
    REQUIRE(f.db->Transact([&](Tx& tx) { return tx.Run("DELETE FROM spaces WHERE guid = ?", other); }).ok());
    auto left = f.Bindings();
    REQUIRE(left.size() == 2);
    for (const auto& b : left) CHECK(b.space_guid == f.space);
    CHECK(f.Groups().size() == 2);  // the groups stay
  }
}

TEST_CASE("NetworkStore inserts, lists and deletes network policies") {
  Fixture f;
  std::string web = f.InsertApp("web"), api = f.InsertApp("api"), db = f.InsertApp("db");
  auto insert = [&](const NetworkPolicyRow& p) { return f.Write([&](NetworkStore& s) { return s.InsertPolicy(p); }); };
  auto remove = [&](const NetworkPolicyRow& p) { return f.Write([&](NetworkStore& s) { return s.DeletePolicy(p); }); };

  NetworkPolicyRow web_api = Policy(web, api, "tcp", 8080, 8080);
  REQUIRE(insert(web_api).ok());
  REQUIRE(insert(Policy(web, api, "udp", 53, 53)).ok());
  REQUIRE(insert(Policy(web, api, "tcp", 7000, 7999)).ok());
  REQUIRE(insert(Policy(api, db, "tcp", 5432, 5432)).ok());
  REQUIRE(insert(Policy(web, api, "tcp", 8080, 8081)).ok());  // another range from the same start

  auto key = [](const NetworkPolicyRow& p) {
    return p.source_app_guid + "|" + p.destination_app_guid + "|" + p.protocol + "|" +
           std::to_string(p.start_port) + "|" + std::to_string(p.end_port);
  };
  auto got = f.Policies();
  REQUIRE(got.size() == 5);
  for (std::size_t i = 1; i < got.size(); ++i) {
    const auto& a = got[i - 1];
    const auto& b = got[i];
    CAPTURE(key(a));
    CAPTURE(key(b));
    CHECK(std::tie(a.source_app_guid, a.destination_app_guid, a.protocol, a.start_port, a.end_port) <
          std::tie(b.source_app_guid, b.destination_app_guid, b.protocol, b.start_port, b.end_port));
  }
  auto it = std::find_if(got.begin(), got.end(), [&](const NetworkPolicyRow& p) { return p.guid == web_api.guid; });
  REQUIRE(it != got.end());
  CHECK(key(*it) == key(web_api));
  CHECK(it->created_at == "2026-01-01T00:00:00Z");

  SUBCASE("the same five fields again are a conflict, whatever the guid") {
    Status s = insert(Policy(web, api, "tcp", 8080, 8080));
    CHECK(s.code() == StatusCode::kConflict);
    CHECK(s.message() == "network policy already exists");
    CHECK(f.Policies().size() == 5);
  }

  SUBCASE("delete removes exactly the matching policy; a missing one is not found") {
    NetworkPolicyRow match = Policy(web, api, "tcp", 8080, 8080);  // another guid: ignored
    REQUIRE(remove(match).ok());
    auto left = f.Policies();
    CHECK(left.size() == 4);
    for (const auto& p : left) CHECK(key(p) != key(web_api));
    Status s = remove(match);
    CHECK(s.code() == StatusCode::kNotFound);
    CHECK(s.message() == "network policy not found");
    CHECK(remove(Policy(web, api, "udp", 8080, 8080)).code() == StatusCode::kNotFound);
    CHECK(remove(Policy(api, web, "tcp", 8080, 8080)).code() == StatusCode::kNotFound);
    CHECK(f.Policies().size() == 4);
  }

  SUBCASE("the CHECKs refuse icmp, end before start and ports out of range, as kInternal") {
    // db.h maps only UNIQUE, PRIMARY KEY and FOREIGN KEY violations to kConflict; a CHECK is kInternal.
    Status icmp = insert(Policy(web, db, "icmp", 1, 1));
    CHECK(icmp.code() == StatusCode::kInternal);
    CHECK(IsCheckViolation(icmp));
    Status backwards = insert(Policy(web, db, "tcp", 9000, 8000));
    CHECK(backwards.code() == StatusCode::kInternal);
    CHECK(IsCheckViolation(backwards));
    CHECK(insert(Policy(web, db, "tcp", 0, 10)).code() == StatusCode::kInternal);
    CHECK(insert(Policy(web, db, "tcp", 10, 65536)).code() == StatusCode::kInternal);
    CHECK(insert(Policy(web, db, "tcp", 1, 65535)).ok());
    CHECK(f.Policies().size() == 6);
  }

  SUBCASE("an unknown app is not found") {
    Status s = insert(Policy(web, "no-such-app", "tcp", 80, 80));
    CHECK(s.code() == StatusCode::kNotFound);
    CHECK(s.message() == "app '" + web + "' or app 'no-such-app' not found");
    CHECK(insert(Policy("no-such-app", web, "tcp", 80, 80)).code() == StatusCode::kNotFound);
  }

  SUBCASE("deleting an app takes the policies from and to it") {
    REQUIRE(f.db->Transact([&](Tx& tx) { return AppStore(tx).Delete(api); }).ok());
    CHECK(f.Policies().empty());  // every policy named api as source or destination
    REQUIRE(insert(Policy(web, db, "tcp", 5432, 5432)).ok());
    REQUIRE(insert(Policy(db, web, "tcp", 80, 80)).ok());
    REQUIRE(f.db->Transact([&](Tx& tx) { return AppStore(tx).Delete(db); }).ok());
    CHECK(f.Policies().empty());
  }
}

}  // namespace
}  // namespace wharf::state
