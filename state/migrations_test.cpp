#include "state/migrations.h"

#include <doctest/doctest.h>

#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

std::vector<std::string> Tables(Database& db) {
  auto names = db.Read<std::vector<std::string>>([](Tx& tx) {
    const char* sql = tx.engine() == DatabaseEngine::kSqlite
                          ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                          : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                            "ORDER BY table_name";
    return FetchAll<std::string>(tx.Query(sql),
                                 [](Statement& st) { return Result<std::string>(st.Text(0)); });
  });
  REQUIRE(names.ok());
  return *names;
}

bool HasTable(Database& db, const std::string& name) {
  auto t = Tables(db);
  return std::find(t.begin(), t.end(), name) != t.end();
}

std::int64_t Count(Database& db, const std::string& sql) {
  auto n = db.Read<std::int64_t>([&](Tx& tx) { return FetchInt(tx.Query(sql)); });
  REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  return *n;
}

TEST_CASE("Migrations are numbered 1..N without gaps") {
  int expected = 1;
  for (const Migration& m : Migrations()) CHECK(m.version == expected++);
  CHECK(LatestSchemaVersion() == expected - 1);
}

TEST_CASE("A fresh database migrates to the latest version with every table") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(db.ok());
  CHECK(*CurrentSchemaVersion(**db) == 0);
  REQUIRE(Migrate(**db, clock).ok());
  CHECK(*CurrentSchemaVersion(**db) == LatestSchemaVersion());
  for (const char* t : {"orgs", "spaces", "users", "role_assignments", "tokens", "apps", "processes", "packages",
                        "builds", "droplets", "buildpack_caches", "domains", "routes", "route_destinations", "events",
                        "settings", "buildpacks", "revisions", "deployments", "service_brokers",
                        "service_offerings", "service_plans", "service_instances", "service_bindings",
                        "autoscaling_policies", "autoscaling_credentials", "autoscaling_samples", "tasks", "service_rotations",
                        "schema_migrations"}) {
    CHECK_MESSAGE(HasTable(**db, t), t);
  }
  CHECK(Count(**db, "SELECT COUNT(*) FROM schema_migrations") == LatestSchemaVersion());
}

TEST_CASE("Each migration applies on the schema of the one before it") {
  for (const Migration& m : Migrations()) {
    CAPTURE(m.version);
    TempDir dir;
    FakeClock clock;
    auto db = testing::OpenTestDatabase(dir / "w.db");
    REQUIRE(db.ok());
    REQUIRE(Migrate(**db, clock, m.version - 1).ok());
    CHECK(*CurrentSchemaVersion(**db) == m.version - 1);
    Status s = Migrate(**db, clock, m.version);
    CHECK_MESSAGE(s.ok(), s.ToString());
    CHECK(*CurrentSchemaVersion(**db) == m.version);
  }
}

TEST_CASE("Migrating again is a no-op") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock).ok());
  auto before = Tables(**db);
  REQUIRE(Migrate(**db, clock).ok());
  CHECK(Tables(**db) == before);
  CHECK(Count(**db, "SELECT COUNT(*) FROM schema_migrations") == LatestSchemaVersion());
}

TEST_CASE("Migration 3 keeps existing apps and gives them no current droplet") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 2).ok());
  REQUIRE((*db)->Transact([](Tx& tx) -> Status {
                 WHARF_RETURN_IF_ERROR(tx.Exec("INSERT INTO orgs VALUES (1, 'o', 'wharf', 't')"));
                 WHARF_RETURN_IF_ERROR(tx.Exec("INSERT INTO spaces VALUES (1, 's', 'o', 'default', 't')"));
                 return tx.Exec(
                     "INSERT INTO apps (guid, space_guid, name, state, stack, created_at, updated_at) "
                     "VALUES ('a', 's', 'web', 'STARTED', 'debian12', 't', 't')");
               }).ok());
  REQUIRE(Migrate(**db, clock, 3).ok());
  CHECK(Count(**db, "SELECT COUNT(*) FROM apps WHERE name = 'web' AND current_droplet_guid IS NULL") == 1);
}

TEST_CASE("Migration 1 refuses an unknown role and migration 2 an unknown app state") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 2).ok());
  Status bad_state = (*db)->Transact([](Tx& tx) -> Status {
    WHARF_RETURN_IF_ERROR(tx.Exec("INSERT INTO orgs VALUES (1, 'o', 'wharf', 't')"));
    WHARF_RETURN_IF_ERROR(tx.Exec("INSERT INTO spaces VALUES (1, 's', 'o', 'default', 't')"));
    return tx.Exec(
        "INSERT INTO apps (guid, space_guid, name, state, stack, created_at, updated_at) "
        "VALUES ('a', 's', 'web', 'RUNNING', 'debian12', 't', 't')");
  });
  CHECK(!bad_state.ok());
  Status bad_role = (*db)->Transact([](Tx& tx) -> Status {
    WHARF_RETURN_IF_ERROR(tx.Exec("INSERT INTO users VALUES (1, 'u', 'admin', 't')"));
    return tx.Exec("INSERT INTO role_assignments (user_guid, role, created_at) VALUES ('u', 'root', 't')");
  });
  CHECK(!bad_role.ok());
}

TEST_CASE("Migrations 4 and 5 add routing and events on top of apps") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 3).ok());
  CHECK(!HasTable(**db, "routes"));
  REQUIRE(Migrate(**db, clock, 4).ok());
  CHECK(HasTable(**db, "routes"));
  CHECK(HasTable(**db, "route_destinations"));
  CHECK(!HasTable(**db, "events"));
  REQUIRE(Migrate(**db, clock, 5).ok());
  CHECK(HasTable(**db, "events"));
}

TEST_CASE("Migration 6 adds settings, one value per key") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 5).ok());
  CHECK(!HasTable(**db, "settings"));
  REQUIRE(Migrate(**db, clock, 6).ok());
  REQUIRE((*db)->Transact([](Tx& tx) { return tx.Exec("INSERT INTO settings VALUES ('k', 'v', 't')"); }).ok());
  CHECK((*db)->Transact([](Tx& tx) { return tx.Exec("INSERT INTO settings VALUES ('k', 'w', 't')"); }).code() ==
        StatusCode::kConflict);
}

TEST_CASE("Migration 7 gives started apps their current droplet to run, stopped apps none") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 6).ok());
  REQUIRE((*db)->Transact([](Tx& tx) {
                 WHARF_RETURN_IF_ERROR(tx.Exec(
                     "INSERT INTO orgs VALUES (1, 'o', 'org', 't'); INSERT INTO spaces VALUES (1, 's', 'o', 'dev', 't');"));
                 WHARF_RETURN_IF_ERROR(tx.Exec(
                     "INSERT INTO apps (guid, space_guid, name, state, buildpacks, stack, environment_variables, "
                     "created_at, updated_at) VALUES ('a1', 's', 'one', 'STARTED', '[]', 'debian12', '{}', 't', 't'), "
                     "('a2', 's', 'two', 'STOPPED', '[]', 'debian12', '{}', 't', 't')"));
                 WHARF_RETURN_IF_ERROR(tx.Exec(
                     "INSERT INTO packages (guid, app_guid, state, sha256, file_count, size_bytes, source, created_at) "
                     "VALUES ('p1', 'a1', 'READY', 'x', 0, 0, '{}', 't')"));
                 WHARF_RETURN_IF_ERROR(tx.Exec(
                     "INSERT INTO droplets (guid, app_guid, package_guid, sha256, size_bytes, process_types, buildpacks, "
                     "state, stack, created_at) VALUES ('d1', 'a1', 'p1', 'y', 0, '{}', '[]', 'STAGED', 'debian12', 't'), "
                     "('d2', 'a2', NULL, 'z', 0, '{}', '[]', 'STAGED', 'debian12', 't')"));
                 return tx.Exec("UPDATE apps SET current_droplet_guid = 'd1' WHERE guid = 'a1';"
                                "UPDATE apps SET current_droplet_guid = 'd2' WHERE guid = 'a2';");
               }).ok());
  REQUIRE(Migrate(**db, clock, 7).ok());
  auto run = [&](const char* guid) {
    return (*db)->Read<std::string>([&](Tx& tx) -> Result<std::string> {
      WHARF_ASSIGN_OR_RETURN(Statement st,
                             tx.Query("SELECT IFNULL(run_droplet_guid, '-') || ':' || run_generation FROM apps WHERE guid = ?", guid));
      WHARF_RETURN_IF_ERROR(st.Step().status());
      return st.Text(0);
    });
  };
  CHECK(*run("a1") == "d1:0");
  CHECK(*run("a2") == "-:0");
}

TEST_CASE("Migration 26 names the host's own system the 'host' stack: apps, droplets and caches built on it keep it") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 25).ok());
  REQUIRE((*db)->Transact([](Tx& tx) {
                 WHARF_RETURN_IF_ERROR(tx.Exec(
                     "INSERT INTO orgs VALUES (1, 'o', 'org', 't'); INSERT INTO spaces VALUES (1, 's', 'o', 'dev', 't');"));
                 WHARF_RETURN_IF_ERROR(tx.Exec(
                     "INSERT INTO apps (guid, space_guid, name, state, buildpacks, stack, environment_variables, "
                     "created_at, updated_at) VALUES ('a1', 's', 'one', 'STARTED', '[]', 'debian12', '{}', 't', 't'), "
                     "('a2', 's', 'two', 'STOPPED', '[]', 'other', '{}', 't', 't')"));
                 WHARF_RETURN_IF_ERROR(tx.Exec(
                     "INSERT INTO droplets (guid, app_guid, package_guid, sha256, size_bytes, process_types, buildpacks, "
                     "state, stack, created_at) VALUES ('d1', 'a1', NULL, 'y', 0, '{}', '[]', 'STAGED', 'debian12', 't')"));
                 return tx.Exec("INSERT INTO buildpack_caches (app_guid, stack, sha256, size_bytes, updated_at) "
                                "VALUES ('a1', 'debian12', 'c', 0, 't')");
               }).ok());
  REQUIRE(Migrate(**db, clock, 26).ok());
  auto stacks = (*db)->Read<std::string>([&](Tx& tx) -> Result<std::string> {
    WHARF_ASSIGN_OR_RETURN(Statement st,
                           tx.Query(std::string("SELECT (SELECT ") +
                                    (tx.engine() == DatabaseEngine::kSqlite ? "group_concat" : "string_agg") +
                                    "(stack, ',') FROM (SELECT stack FROM apps ORDER BY guid) AS s) "
                                    "|| ';' || (SELECT stack FROM droplets) || ';' || (SELECT stack FROM buildpack_caches)"));
    WHARF_RETURN_IF_ERROR(st.Step().status());
    return st.Text(0);
  });
  REQUIRE(stacks.ok());
  CHECK(*stacks == "host,other;host;host");
}

TEST_CASE("Migration 8 adds buildpacks with unique names and guids, positions from 1") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 7).ok());
  CHECK(!HasTable(**db, "buildpacks"));
  REQUIRE(Migrate(**db, clock, 8).ok());
  CHECK(HasTable(**db, "buildpacks"));
  auto insert = [&](const char* values) {
    return (*db)->Transact([&](Tx& tx) {
      return tx.Exec(std::string("INSERT INTO buildpacks (guid, name, position, enabled, stack, builtin, filename, "
                                 "sha256, created_at, updated_at) VALUES ") + values);
    });
  };
  REQUIRE(insert("('g1', 'staticfile_buildpack', 1, 1, NULL, 1, 'staticfile', NULL, 't', 't')").ok());
  CHECK(insert("('g2', 'staticfile_buildpack', 2, 1, NULL, 0, '', NULL, 't', 't')").code() == StatusCode::kConflict);
  CHECK(insert("('g1', 'other', 2, 1, NULL, 0, '', NULL, 't', 't')").code() == StatusCode::kConflict);
  CHECK(!insert("('g3', 'zero', 0, 1, NULL, 0, '', NULL, 't', 't')").ok());  // CHECK (position >= 1)
  CHECK(!insert("('g4', 'flag', 2, 2, NULL, 0, '', NULL, 't', 't')").ok());   // CHECK (enabled IN (0, 1))
  CHECK(Count(**db, "SELECT COUNT(*) FROM buildpacks") == 1);
}

TEST_CASE("Migration 9 gives existing routes round-robin and allows only the two balancing options") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 8).ok());
  auto run = [&](const std::string& sql) { return (*db)->Transact([&](Tx& tx) { return tx.Exec(sql); }); };
  REQUIRE(run("INSERT INTO orgs (guid, name, created_at) VALUES ('o1', 'org', 't');"
              "INSERT INTO spaces (guid, org_guid, name, created_at) VALUES ('s1', 'o1', 'dev', 't');"
              "INSERT INTO domains (guid, name, shared, org_guid, created_at) VALUES ('d1', 'localhost', 1, NULL, 't');"
              "INSERT INTO routes (guid, space_guid, domain_guid, host, path, created_at) "
              "VALUES ('r1', 's1', 'd1', 'web', '', 't')")
              .ok());
  REQUIRE(Migrate(**db, clock, 9).ok());
  CHECK(Count(**db, "SELECT COUNT(*) FROM routes WHERE guid = 'r1' AND load_balancing = 'round-robin'") == 1);
  CHECK(run("UPDATE routes SET load_balancing = 'least-connection' WHERE guid = 'r1'").ok());
  CHECK_FALSE(run("UPDATE routes SET load_balancing = 'random' WHERE guid = 'r1'").ok());
}

TEST_CASE("Migration 10 keeps every role assignment and allows the routing role") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 9).ok());
  auto run = [&](const std::string& sql) { return (*db)->Transact([&](Tx& tx) { return tx.Exec(sql); }); };
  REQUIRE(run("INSERT INTO users (guid, name, created_at) VALUES ('u1', 'admin', 't'), ('u2', 'router', 't')").ok());
  REQUIRE(run("INSERT INTO role_assignments (user_guid, role, created_at) VALUES ('u1', 'admin', 't')").ok());
  CHECK_FALSE(run("INSERT INTO role_assignments (user_guid, role, created_at) VALUES ('u2', 'routing', 't')").ok());
  REQUIRE(Migrate(**db, clock, 10).ok());
  CHECK(Count(**db, "SELECT COUNT(*) FROM role_assignments WHERE user_guid = 'u1' AND role = 'admin'") == 1);
  CHECK(run("INSERT INTO role_assignments (user_guid, role, created_at) VALUES ('u2', 'routing', 't')").ok());
  CHECK_FALSE(run("INSERT INTO role_assignments (user_guid, role, created_at) VALUES ('u2', 'routing', 't')").ok());
  CHECK_FALSE(run("INSERT INTO role_assignments (user_guid, role, created_at) VALUES ('u2', 'root', 't')").ok());
}

TEST_CASE("Migration 11 adds revisions, one per version and app, and gives apps no run revision") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 10).ok());
  auto run = [&](const std::string& sql) { return (*db)->Transact([&](Tx& tx) { return tx.Exec(sql); }); };
  REQUIRE(run("INSERT INTO orgs (guid, name, created_at) VALUES ('o1', 'org', 't');"
              "INSERT INTO spaces (guid, org_guid, name, created_at) VALUES ('s1', 'o1', 'dev', 't');"
              "INSERT INTO apps (guid, space_guid, name, state, buildpacks, stack, environment_variables, "
              "created_at, updated_at) VALUES ('a1', 's1', 'one', 'STARTED', '[]', 'debian12', '{}', 't', 't')")
              .ok());
  REQUIRE(Migrate(**db, clock, 11).ok());
  CHECK(Count(**db, "SELECT COUNT(*) FROM apps WHERE guid = 'a1' AND run_revision = 0") == 1);
  auto insert = [&](const char* values) {
    return run(std::string("INSERT INTO revisions (guid, app_guid, version, droplet_guid, description, created_at) "
                           "VALUES ") + values);
  };
  CHECK(insert("('r1', 'a1', 1, 'd1', 'Initial revision.', 't')").ok());
  CHECK_FALSE(insert("('r2', 'a1', 1, 'd1', 'again', 't')").ok());      // UNIQUE (app_guid, version)
  CHECK_FALSE(insert("('r3', 'a1', 0, 'd1', 'zero', 't')").ok());       // CHECK (version >= 1)
  CHECK_FALSE(insert("('r4', 'nope', 1, 'd1', 'no app', 't')").ok());   // the app must exist
}

TEST_CASE("Migration 12 adds deployments with at most one active per app") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 11).ok());
  auto run = [&](const std::string& sql) { return (*db)->Transact([&](Tx& tx) { return tx.Exec(sql); }); };
  REQUIRE(run("INSERT INTO orgs (guid, name, created_at) VALUES ('o1', 'org', 't');"
              "INSERT INTO spaces (guid, org_guid, name, created_at) VALUES ('s1', 'o1', 'dev', 't');"
              "INSERT INTO apps (guid, space_guid, name, state, buildpacks, stack, environment_variables, "
              "created_at, updated_at) VALUES ('a1', 's1', 'one', 'STARTED', '[]', 'debian12', '{}', 't', 't')")
              .ok());
  REQUIRE(Migrate(**db, clock, 12).ok());
  auto insert = [&](const char* guid, const char* strategy, const char* state) {
    return run(std::string("INSERT INTO deployments (guid, app_guid, strategy, state, revision, previous_revision, "
                           "previous_generation, created_at, updated_at) VALUES ('") +
               guid + "', 'a1', '" + strategy + "', '" + state + "', 2, 1, 1, 't', 't')");
  };
  CHECK(insert("d1", "canary", "PAUSED").ok());
  CHECK_FALSE(insert("d2", "rolling", "DEPLOYING").ok());  // a second active one
  CHECK(insert("d3", "rolling", "DEPLOYED").ok());
  CHECK(insert("d4", "rolling", "CANCELED").ok());
  CHECK_FALSE(insert("d5", "blue-green", "DEPLOYED").ok());
  CHECK_FALSE(insert("d6", "rolling", "DONE").ok());
}

TEST_CASE("Migration 15 adds tasks: states checked, sequence ids unique per app, the app must exist") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 14).ok());
  auto run = [&](const std::string& sql) { return (*db)->Transact([&](Tx& tx) { return tx.Exec(sql); }); };
  REQUIRE(run("INSERT INTO orgs (guid, name, created_at) VALUES ('o1', 'org', 't');"
              "INSERT INTO spaces (guid, org_guid, name, created_at) VALUES ('s1', 'o1', 'dev', 't');"
              "INSERT INTO apps (guid, space_guid, name, state, buildpacks, stack, environment_variables, "
              "created_at, updated_at) VALUES ('a1', 's1', 'one', 'STARTED', '[]', 'debian12', '{}', 't', 't')")
              .ok());
  REQUIRE(Migrate(**db, clock, 15).ok());
  auto insert = [&](const char* guid, const char* app, int seq, const char* state) {
    return run(std::string("INSERT INTO tasks (guid, app_guid, sequence_id, name, command, state, memory_in_mb, "
                           "disk_in_mb, droplet_guid, created_at, updated_at) VALUES ('") +
               guid + "', '" + app + "', " + std::to_string(seq) + ", 'n', 'true', '" + state +
               "', 64, 64, 'd1', 't', 't')");
  };
  CHECK(insert("t1", "a1", 1, "PENDING").ok());
  CHECK(insert("t2", "a1", 2, "CANCELING").ok());
  CHECK_FALSE(insert("t3", "a1", 2, "RUNNING").ok());  // UNIQUE (app_guid, sequence_id)
  CHECK_FALSE(insert("t4", "a1", 3, "DONE").ok());     // CHECK on state
  CHECK_FALSE(insert("t5", "a1", 0, "RUNNING").ok());  // sequence ids start at 1
  CHECK_FALSE(insert("t6", "nope", 1, "RUNNING").ok());  // the app must exist
}

TEST_CASE("Migration 16 keeps each route's balancing and allows hash with its header and balance") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 15).ok());
  auto run = [&](const std::string& sql) { return (*db)->Transact([&](Tx& tx) { return tx.Exec(sql); }); };
  REQUIRE(run("INSERT INTO orgs (guid, name, created_at) VALUES ('o1', 'org', 't');"
              "INSERT INTO spaces (guid, org_guid, name, created_at) VALUES ('s1', 'o1', 'dev', 't');"
              "INSERT INTO domains (guid, name, shared, org_guid, created_at) VALUES ('d1', 'localhost', 1, NULL, 't');"
              "INSERT INTO routes (guid, space_guid, domain_guid, host, path, created_at, load_balancing) "
              "VALUES ('r1', 's1', 'd1', 'web', '', 't', 'least-connection');"
              "INSERT INTO routes (guid, space_guid, domain_guid, host, path, created_at) "
              "VALUES ('r2', 's1', 'd1', 'api', '', 't')")
              .ok());
  REQUIRE(Migrate(**db, clock, 16).ok());
  CHECK(Count(**db, "SELECT COUNT(*) FROM routes WHERE guid = 'r1' AND load_balancing = 'least-connection' "
                    "AND hash_header IS NULL AND hash_balance IS NULL") == 1);
  CHECK(Count(**db, "SELECT COUNT(*) FROM routes WHERE guid = 'r2' AND load_balancing = 'round-robin'") == 1);
  CHECK(run("UPDATE routes SET load_balancing = 'hash', hash_header = 'tenant-id', hash_balance = '1.25' "
            "WHERE guid = 'r1'").ok());
  CHECK_FALSE(run("UPDATE routes SET load_balancing = 'random' WHERE guid = 'r1'").ok());
}

TEST_CASE("Migration 19 lets a rotation's new binding stand beside the one it replaces, and adds rotations") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 18).ok());
  auto run = [&](const std::string& sql) { return (*db)->Transact([&](Tx& tx) { return tx.Exec(sql); }); };
  REQUIRE(run("INSERT INTO orgs (guid, name, created_at) VALUES ('o1', 'org', 't');"
              "INSERT INTO spaces (guid, org_guid, name, created_at) VALUES ('s1', 'o1', 'dev', 't');"
              "INSERT INTO apps (guid, space_guid, name, state, buildpacks, stack, environment_variables, "
              "created_at, updated_at) VALUES ('a1', 's1', 'one', 'STARTED', '[]', 'debian12', '{}', 't', 't');"
              "INSERT INTO service_instances (guid, space_guid, name, type, credentials, syslog_drain_url, "
              "route_service_url, tags, parameters, dashboard_url, last_operation_type, last_operation_state, "
              "last_operation_description, created_at, updated_at) VALUES ('i1', 's1', 'db', 'user-provided', '{}', "
              "'', '', '[]', '{}', '', 'create', 'succeeded', '', 't', 't');"
              "INSERT INTO service_bindings (guid, instance_guid, type, app_guid, credentials, parameters, "
              "syslog_drain_url, volume_mounts, last_operation_type, last_operation_state, "
              "last_operation_description, created_at, updated_at) VALUES ('b1', 'i1', 'app', 'a1', '{}', '{}', "
              "'', '[]', 'create', 'succeeded', '', 't', 't')")
              .ok());
  REQUIRE(Migrate(**db, clock, 19).ok());
  CHECK(Count(**db, "SELECT COUNT(*) FROM service_bindings WHERE guid = 'b1' AND replaces IS NULL") == 1);
  auto bind = [&](const char* guid, const char* replaces) {
    return run(std::string("INSERT INTO service_bindings (guid, instance_guid, type, app_guid, credentials, "
                           "parameters, syslog_drain_url, volume_mounts, last_operation_type, last_operation_state, "
                           "last_operation_description, created_at, updated_at, replaces) VALUES ('") +
               guid + "', 'i1', 'app', 'a1', '{}', '{}', '', '[]', 'create', 'in progress', '', 't', 't', " +
               replaces + ")");
  };
  CHECK_FALSE(bind("b2", "NULL").ok());  // still one plain binding per app and instance
  CHECK(bind("b3", "'b1'").ok());        // a rotation's new binding beside it
  auto rotation = [&](const char* guid, const char* state) {
    return run(std::string("INSERT INTO service_rotations (guid, app_guid, instance_guid, old_binding_guid, "
                           "new_binding_guid, state, description, created_at, updated_at) VALUES ('") +
               guid + "', 'a1', 'i1', 'b1', 'b3', '" + state + "', '', 't', 't')");
  };
  CHECK(rotation("r1", "draining").ok());
  CHECK_FALSE(rotation("r1", "failed").ok());  // guids are unique
  CHECK_FALSE(rotation("r2", "done").ok());    // CHECK on state
}

TEST_CASE("Migrations 32 and 33 add cells and placements, then the cell role, keeping every role assignment") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock, 31).ok());
  auto run = [&](const std::string& sql) { return (*db)->Transact([&](Tx& tx) { return tx.Exec(sql); }); };
  REQUIRE(run("INSERT INTO users (guid, name, created_at) VALUES ('u1', 'one', 't');"
              "INSERT INTO role_assignments (guid, user_guid, role, created_at) VALUES ('r1', 'u1', 'admin', 't')")
              .ok());
  CHECK_FALSE(run("INSERT INTO role_assignments (guid, user_guid, role, created_at) VALUES ('r2', 'u1', 'cell', 't')").ok());
  REQUIRE(Migrate(**db, clock, 32).ok());
  CHECK(HasTable(**db, "cells"));
  CHECK(HasTable(**db, "placements"));
  CHECK_FALSE(run("INSERT INTO role_assignments (guid, user_guid, role, created_at) VALUES ('r2', 'u1', 'cell', 't')").ok());
  REQUIRE(Migrate(**db, clock, 33).ok());
  CHECK(Count(**db, "SELECT COUNT(*) FROM role_assignments WHERE guid = 'r1' AND role = 'admin'") == 1);
  CHECK(run("INSERT INTO role_assignments (guid, user_guid, role, created_at) VALUES ('r2', 'u1', 'cell', 't')").ok());
  CHECK_FALSE(run("INSERT INTO role_assignments (guid, user_guid, role, created_at) VALUES ('r3', 'u1', 'x', 't')").ok());
  CHECK_FALSE(run("INSERT INTO role_assignments (guid, user_guid, role, created_at) VALUES ('r1', 'u1', 'routing', 't')")
                  .ok());  // guids stay unique
}

TEST_CASE("A database from a newer wharfd is refused") {
  TempDir dir;
  FakeClock clock;
  auto db = testing::OpenTestDatabase(dir / "w.db");
  REQUIRE(Migrate(**db, clock).ok());
  REQUIRE((*db)->Transact([](Tx& tx) {
                 return tx.Run("INSERT INTO schema_migrations VALUES (?, 'future', 't')", LatestSchemaVersion() + 1);
               }).ok());
  Status s = Migrate(**db, clock);
  CHECK(s.code() == StatusCode::kConflict);
  CHECK(s.message().find("newer") != std::string::npos);
}

}  // namespace
}  // namespace wharf::state
