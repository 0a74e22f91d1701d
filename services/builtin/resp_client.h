// A minimal Redis client (RESP2 over TCP) for the Redis broker's own commands:
// AUTH, PING, ACL SETUSER / DELUSER / SAVE, SHUTDOWN. One connection per call.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::services::builtin {

struct RespTarget {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string username;  // empty: no AUTH
  std::string password;
  std::chrono::milliseconds timeout{5000};
};

// Sends each command (after AUTH) and returns the replies as text: simple strings and
// bulk strings as they are, integers in decimal, arrays flattened with spaces. A Redis
// error reply is kInternal "redis: <error>" (kUnauthenticated for a refused AUTH); no
// connection is kUnavailable. Arguments (passwords) never appear in errors.
Result<std::vector<std::string>> RespCall(const RespTarget& target, const std::vector<std::vector<std::string>>& commands);

}  // namespace wharf::services::builtin
