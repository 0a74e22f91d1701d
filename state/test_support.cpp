#include "state/test_support.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iomanip>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "common/file_io.h"
#include "state/migrations.h"
#include "state/platform/user_store.h"

namespace wharf::state::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadTail(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

// The newest Debian PostgreSQL server: /usr/lib/postgresql/<major>/bin with initdb and postgres.
std::string FindPostgresBin() {
  int best = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!fs::exists(entry.path() / "bin" / "initdb") || !fs::exists(entry.path() / "bin" / "postgres")) continue;
    best = std::max(best, std::stoi(name));
  }
  return best < 0 ? "" : "/usr/lib/postgresql/" + std::to_string(best) + "/bin";
}

// A real PostgreSQL server for this test binary's run: initdb into a private folder, the
// postmaster on a Unix socket in it (no TCP port), run as the system user postgres when the
// tests run as root (PostgreSQL refuses root), stopped by its pid when the binary exits (and
// by PR_SET_PDEATHSIG if the binary dies first). Durability settings are off: a test database
// is thrown away.
class PostgresTestServer {
 public:
  static PostgresTestServer& Get() {
    static std::unique_ptr<PostgresTestServer> server = [] {
      auto s = std::unique_ptr<PostgresTestServer>(new PostgresTestServer());
      s->error_ = s->Start();
      return s;
    }();
    if (!server->error_.empty()) FAIL("the PostgreSQL test server is not running: " << server->error_);
    return *server;
  }

  ~PostgresTestServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGINT);  // fast shutdown: clients are cut off, the server exits
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  std::string Url(const std::string& database) const {
    return "postgresql:///" + database + "?host=" + dir_.string() + "&user=postgres";
  }

  // The database for a test path, created when first asked for.
  std::string DatabaseFor(const fs::path& path) {
    std::ostringstream name;
    name << "t_" << std::hex << std::setw(16) << std::setfill('0') << std::hash<std::string>{}(path.string());
    const std::string db = name.str();
    if (created_.count(db) != 0) return db;
    PGconn* admin = PQconnectdb(Url("postgres").c_str());
    REQUIRE_MESSAGE(PQstatus(admin) == CONNECTION_OK, "connecting to the PostgreSQL test server: " << PQerrorMessage(admin));
    PGresult* r = PQexec(admin, ("CREATE DATABASE " + db + " TEMPLATE template0").c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const std::string error = PQresultErrorMessage(r);
    const bool exists = state != nullptr && std::string(state) == "42P04";
    PQclear(r);
    PQfinish(admin);
    REQUIRE_MESSAGE((ok || exists), "creating test database " << db << ": " << error);
    created_.insert(db);
    return db;
  }

 private:
  PostgresTestServer() = default;

  // Runs argv as the server's user, output to `log`; returns the child's pid (waits if `wait`).
  Result<pid_t> Spawn(const std::vector<std::string>& argv, const fs::path& log, bool wait) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) return Status::Internal("fork failed");
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0 || devnull < 0) ::_exit(126);
      ::dup2(devnull, 0);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      if (run_as_) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0) ::_exit(125);
      }
      // After setuid, which clears it: the server goes when the test binary dies.
      ::prctl(PR_SET_PDEATHSIG, SIGINT);
      if (::getppid() != parent) ::_exit(124);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    if (wait) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return Status::Internal(argv[0] + " failed (status " + std::to_string(status) + "): " + ReadTail(log));
      }
    }
    return pid;
  }

  std::string Start() {
    const std::string bin = FindPostgresBin();
    if (bin.empty()) {
      return "no PostgreSQL server binaries (initdb, postgres) under /usr/lib/postgresql; "
             "scripts/setup.sh installs them (apt-get install postgresql)";
    }
    if (::geteuid() == 0) {
      struct passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr) return "running as root, and there is no system user 'postgres' to run PostgreSQL as";
      run_as_ = true;
      uid_ = pw->pw_uid;
      gid_ = pw->pw_gid;
    }
    char tmpl[] = "/tmp/wharf-pg-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return "cannot make a folder under /tmp";
    dir_ = tmpl;
    if (run_as_ && ::chown(dir_.c_str(), uid_, gid_) != 0) return "cannot give " + dir_.string() + " to postgres";
    const fs::path data = dir_ / "data";
    auto init = Spawn({bin + "/initdb", "-D", data.string(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                       "--no-locale", "--no-sync"},
                      dir_ / "initdb.log", true);
    if (!init.ok()) return init.status().ToString();
    auto server = Spawn({bin + "/postgres", "-D", data.string(), "-k", dir_.string(), "-c", "listen_addresses=",
                         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c",
                         "max_connections=200"},
                        dir_ / "server.log", false);
    if (!server.ok()) return server.status().ToString();
    pid_ = *server;
    const std::string ping = "host=" + dir_.string() + " user=postgres dbname=postgres";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (PQping(ping.c_str()) != PQPING_OK) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "the PostgreSQL server exited at start: " + ReadTail(dir_ / "server.log");
      }
      if (std::chrono::steady_clock::now() > deadline) return "the PostgreSQL server did not answer within 60 s";
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

  std::string error_;
  fs::path dir_;
  pid_t pid_ = -1;
  bool run_as_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::set<std::string> created_;
};

}  // namespace

DatabaseEngine EngineUnderTest() {
  const char* e = std::getenv("WHARF_TEST_DATABASE");
  return e != nullptr && std::string(e) == "postgres" ? DatabaseEngine::kPostgres : DatabaseEngine::kSqlite;
}

std::string PostgresTestUrl(const std::filesystem::path& path) {
  PostgresTestServer& server = PostgresTestServer::Get();
  return server.Url(server.DatabaseFor(path));
}

Result<std::unique_ptr<Database>> OpenTestDatabase(const std::filesystem::path& path, const DatabaseOptions& options) {
  if (EngineUnderTest() == DatabaseEngine::kSqlite) return Database::Open(path, options);
  return Database::OpenPostgres(PostgresTestUrl(path), options);
}

std::unique_ptr<Database> OpenMigrated(const std::filesystem::path& path, const Clock& clock) {
  auto db = OpenTestDatabase(path);
  REQUIRE_MESSAGE(db.ok(), db.status().ToString());
  Status s = Migrate(**db, clock);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return std::move(db).value();
}

SpaceFixture::SpaceFixture() {
  REQUIRE(db->Transact([&](Tx& tx) -> Status {
                UserStore users(tx);
                WHARF_RETURN_IF_ERROR(users.InsertOrg(Org{org, "wharf", "t"}));
                return users.InsertSpace(Space{space, org, "default", "t"});
              }).ok());
}

}  // namespace wharf::state::testing
