#include "services/builtin/resp_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>

namespace wharf::services::builtin {

namespace {

std::string Encode(const std::vector<std::string>& command) {
  std::string out = "*" + std::to_string(command.size()) + "\r\n";
  for (const auto& arg : command) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

Result<std::string> ReadReply(std::istream& in, int depth = 0) {
  std::string line;
  if (!std::getline(in, line)) return Status::Unavailable("redis closed the connection");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return Status::Internal("redis sent an empty line");
  const char kind = line[0];
  const std::string rest = line.substr(1);
  switch (kind) {
    case '+':
    case ':':
      return rest;
    case '-':
      if (rest.rfind("WRONGPASS", 0) == 0 || rest.rfind("NOAUTH", 0) == 0) return Status::Unauthenticated("redis: " + rest);
      return Status::Internal("redis: " + rest);
    case '$': {
      long n = std::stol(rest);
      if (n < 0) return std::string();
      std::string data(static_cast<std::size_t>(n) + 2, '\0');
      if (!in.read(data.data(), static_cast<std::streamsize>(data.size()))) return Status::Unavailable("redis reply cut short");
      data.resize(static_cast<std::size_t>(n));
      return data;
    }
    case '*': {
      long n = std::stol(rest);
      if (depth > 4) return Status::Internal("redis reply nested too deep");
      std::string joined;
      for (long i = 0; i < n; ++i) {
        WHARF_ASSIGN_OR_RETURN(auto item, ReadReply(in, depth + 1));
        joined += (i ? " " : "") + item;
      }
      return joined;
    }
    default:
      return Status::Internal("redis sent an unknown reply type");
  }
}

}  // namespace

Result<std::vector<std::string>> RespCall(const RespTarget& target, const std::vector<std::vector<std::string>>& commands) {
  try {
    Poco::Net::StreamSocket socket;
    const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(target.timeout).count());
    socket.connect(Poco::Net::SocketAddress(target.host, static_cast<Poco::UInt16>(target.port)), timeout);
    socket.setReceiveTimeout(timeout);
    socket.setSendTimeout(timeout);
    Poco::Net::SocketStream stream(socket);
    std::vector<std::vector<std::string>> all;
    if (!target.password.empty()) {
      all.push_back(target.username.empty() ? std::vector<std::string>{"AUTH", target.password}
                                            : std::vector<std::string>{"AUTH", target.username, target.password});
    }
    all.insert(all.end(), commands.begin(), commands.end());
    std::vector<std::string> replies;
    for (const auto& command : all) {
      stream << Encode(command);
      stream.flush();
      WHARF_ASSIGN_OR_RETURN(auto reply, ReadReply(stream));
      replies.push_back(reply);
    }
    if (!target.password.empty()) replies.erase(replies.begin());
    return replies;
  } catch (const Poco::Exception& e) {
    return Status::Unavailable("redis at " + target.host + ":" + std::to_string(target.port) + ": " + e.displayText());
  } catch (const std::exception& e) {
    return Status::Unavailable("redis at " + target.host + ":" + std::to_string(target.port) + ": " + e.what());
  }
}

}  // namespace wharf::services::builtin
