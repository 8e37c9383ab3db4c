// PostgresTestServer: a throwaway PostgreSQL server for tests, on a
// temporary directory, reachable only through a Unix socket in that
// directory, removed when the server is destroyed.
//
// The server binaries (initdb, pg_ctl, psql) are found in $STRATA_PG_BINDIR,
// else in the newest /usr/lib/postgresql/*/bin (Debian keeps them off PATH).
// PostgreSQL refuses to run as root, which is what CI machines are: as root,
// the directory is given to the `postgres` user and the server commands run
// through `runuser -u postgres`. The socket lives directly in the temporary
// directory (/tmp/spgXXXXXX) because socket paths are limited to ~100 bytes.
//
// A missing or failing server is an error for the tests that need it, never
// a skip: Shared() reports why it could not start and the tests fail with it.
//
// Header-only and test-only (no part of libstrata). Not thread-safe: drive a
// server from the test's thread; the databases it serves may be used from any
// thread.
#ifndef STRATA_STORAGE_POSTGRES_TEST_SERVER_H_
#define STRATA_STORAGE_POSTGRES_TEST_SERVER_H_

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace strata::testing {

class PostgresTestServer {
 public:
  // Creates a cluster (initdb) and starts it. `fsync` false (the default)
  // trades durability across a machine crash for speed: the server is
  // thrown away anyway. Throws std::runtime_error saying what failed, with
  // the command's output.
  explicit PostgresTestServer(bool fsync = false) : fsync_(fsync) {
    bin_ = FindBinDir();
    char dir_template[] = "/tmp/spgXXXXXX";
    if (mkdtemp(dir_template) == nullptr) {
      throw std::runtime_error(std::string("postgres test server: mkdtemp failed: ") +
                               std::strerror(errno));
    }
    dir_ = dir_template;
    try {
      if (geteuid() == 0) {
        Check(Run("chown postgres: " + dir_), "chown " + dir_ + " to the postgres user");
      }
      Check(Run(AsServerUser(bin_ + "/initdb -D " + data_dir() +
                             " -A trust -U postgres -E UTF8 --locale=C -N")),
            "initdb");
      Start();
    } catch (...) {
      RemoveDir();
      throw;
    }
  }

  // Stops the server at once (pg_ctl -m immediate) and removes its directory.
  ~PostgresTestServer() {
    if (running_) Run(AsServerUser(bin_ + "/pg_ctl -D " + data_dir() + " -m immediate -w stop"));
    RemoveDir();
  }

  PostgresTestServer(const PostgresTestServer&) = delete;
  PostgresTestServer& operator=(const PostgresTestServer&) = delete;

  // The server every test of this process shares: started on first use,
  // stopped when the process exits. nullptr when it could not be started;
  // then *error says why.
  static PostgresTestServer* Shared(std::string* error) {
    struct Holder {
      std::unique_ptr<PostgresTestServer> server;
      std::string error;
      Holder() {
        try {
          server = std::make_unique<PostgresTestServer>();
        } catch (const std::exception& e) {
          error = e.what();
        }
      }
    };
    static Holder holder;
    if (error != nullptr) *error = holder.error;
    return holder.server.get();
  }

  // Starts the server (again, after Stop()). Throws std::runtime_error.
  void Start() {
    std::string options = "-c listen_addresses='' -k " + dir_ + (fsync_ ? "" : " -c fsync=off");
    Check(Run(AsServerUser(bin_ + "/pg_ctl -D " + data_dir() + " -l " + dir_ + "/log -o \"" +
                           options + "\" -w -t 60 start")),
          "pg_ctl start (server log: " + dir_ + "/log)");
    running_ = true;
  }

  // Stops the server as a crash would (pg_ctl -m immediate): connections
  // drop, nothing is flushed; committed data survives. Throws
  // std::runtime_error.
  void Stop() {
    Check(Run(AsServerUser(bin_ + "/pg_ctl -D " + data_dir() + " -m immediate -w stop")),
          "pg_ctl stop");
    running_ = false;
  }

  // A new, empty database; returns its name.
  std::string CreateDatabase() {
    static std::atomic<int> counter{0};
    std::string name = "strata_test_" + std::to_string(++counter);
    Sql("postgres", "CREATE DATABASE " + name);
    return name;
  }

  // Drops a database, closing its connections first.
  void DropDatabase(const std::string& name) {
    Sql("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  // Runs `sql` (no double quotes) in database `db` with psql; returns what it
  // printed (unaligned, tuples only). Throws std::runtime_error.
  std::string Sql(const std::string& db, const std::string& sql) {
    Output out = Run(bin_ + "/psql -X -q -A -t -v ON_ERROR_STOP=1 -h " + dir_ + " -U postgres -d " +
                     db + " -c \"" + sql + "\"");
    Check(out, "psql -c \"" + sql + "\"");
    return out.text;
  }

  // The libpq connection string for database `db`.
  std::string ConnInfo(const std::string& db) const {
    return "host=" + dir_ + " dbname=" + db + " user=postgres";
  }

  const std::string& socket_dir() const { return dir_; }
  bool running() const { return running_; }

 private:
  struct Output {
    int status;
    std::string text;
  };

  std::string data_dir() const { return dir_ + "/data"; }

  static std::string FindBinDir() {
    if (const char* env = std::getenv("STRATA_PG_BINDIR"); env != nullptr && *env != '\0') {
      return env;
    }
    namespace fs = std::filesystem;
    std::string best;
    int best_version = -1;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
      fs::path bin = entry.path() / "bin";
      if (!fs::exists(bin / "initdb", ec) || !fs::exists(bin / "pg_ctl", ec)) continue;
      int version = std::atoi(entry.path().filename().c_str());
      if (version > best_version) {
        best_version = version;
        best = bin.string();
      }
    }
    if (best.empty()) {
      throw std::runtime_error(
          "postgres test server: no PostgreSQL server binaries (initdb, pg_ctl) in "
          "/usr/lib/postgresql/*/bin; install the server (apt-get install postgresql) or set "
          "STRATA_PG_BINDIR to the directory holding initdb");
    }
    return best;
  }

  // As root, runs `command` as the postgres user; else as is.
  static std::string AsServerUser(const std::string& command) {
    return geteuid() == 0 ? "runuser -u postgres -- " + command : command;
  }

  // Runs `command` with sh from /tmp; returns its exit status and output.
  static Output Run(const std::string& command) {
    Output out{-1, ""};
    FILE* pipe = popen(("cd /tmp && " + command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
      out.text = std::string("popen failed: ") + std::strerror(errno);
      return out;
    }
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.text.append(buffer, n);
    int status = pclose(pipe);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  }

  void Check(const Output& out, const std::string& what) const {
    if (out.status == 0) return;
    std::string message = "postgres test server: " + what + " failed (exit status " +
                          std::to_string(out.status) + "): " + out.text;
    std::ifstream log(dir_ + "/log");
    if (log) {
      std::stringstream tail;
      tail << log.rdbuf();
      std::string text = tail.str();
      if (text.size() > 2000) text = text.substr(text.size() - 2000);
      message += "\nserver log:\n" + text;
    }
    throw std::runtime_error(message);
  }

  void RemoveDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  bool fsync_;
  std::string bin_;
  std::string dir_;  // the cluster in data/, the socket, the log
  bool running_ = false;
};

}  // namespace strata::testing

#endif  // STRATA_STORAGE_POSTGRES_TEST_SERVER_H_
