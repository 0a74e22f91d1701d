#include "router/access_log.h"

#include <doctest/doctest.h>

namespace wharf::router {
namespace {

AccessLogRecord Sample() {
  AccessLogRecord r;
  r.start = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'800'000'000'123));
  r.method = "GET";
  r.host = "app.test";
  r.path = "/x?y=1";
  r.request_id = "rid-9";
  r.app_guid = "app-1";
  r.instance_id = "inst-1";
  r.endpoint = "127.0.0.1:9000";
  r.client = "127.0.0.1:5555";
  r.status = 200;
  r.bytes_received = 4;
  r.bytes_sent = 120;
  r.duration = std::chrono::microseconds(1500);
  return r;
}

TEST_CASE("an access log line holds gorouter's fields in gorouter's order") {
  std::string line = FormatAccessLogLine(Sample());
  CHECK(line == "app.test - [2027-01-15T08:00:00.123Z] \"GET /x?y=1 HTTP/1.1\" 200 4 120 \"-\" \"-\" "
                "\"127.0.0.1:5555\" \"127.0.0.1:9000\" x_forwarded_for:\"-\" x_forwarded_proto:\"-\" "
                "vcap_request_id:\"rid-9\" response_time:0.001500 app_id:\"app-1\" app_index:\"-\" "
                "instance_id:\"inst-1\" x_cf_routererror:\"-\"");
}

TEST_CASE("an access log line carries the user agent, referer, forwarding headers, index and router error") {
  AccessLogRecord r = Sample();
  r.protocol = "HTTP/1.0";
  r.user_agent = "curl/7.88.1";
  r.referer = "http://from.test/";
  r.forwarded_for = "10.0.0.9, 127.0.0.1";
  r.forwarded_proto = "https";
  r.app_index = "2";
  r.router_error = "endpoint_failure";
  std::string line = FormatAccessLogLine(r);
  CHECK(line.find("\"GET /x?y=1 HTTP/1.0\" 200 4 120 \"http://from.test/\" \"curl/7.88.1\" ") != std::string::npos);
  CHECK(line.find(" x_forwarded_for:\"10.0.0.9, 127.0.0.1\" x_forwarded_proto:\"https\" ") != std::string::npos);
  CHECK(line.find(" app_index:\"2\" ") != std::string::npos);
  CHECK(line.ends_with(" x_cf_routererror:\"endpoint_failure\""));
}

TEST_CASE("client-controlled text cannot break the line or its quotes") {
  AccessLogRecord r = Sample();
  r.path = "/a\"b\nc";
  r.user_agent = "evil\" x_cf_routererror:\"spoofed\r\n";
  std::string line = FormatAccessLogLine(r);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("/a?b?c") != std::string::npos);
  CHECK(line.find("\"evil? x_cf_routererror:?spoofed??\"") != std::string::npos);
}

TEST_CASE("the writer hands every submitted record to the sink, in order") {
  MemoryAccessLogSink sink;
  {
    AccessLogWriter writer(sink);
    for (int b = 0; b < 3; ++b) {
      std::vector<AccessLogRecord> batch;
      for (int i = 0; i < 4; ++i) {
        AccessLogRecord r = Sample();
        r.status = 200 + b * 10 + i;
        batch.push_back(r);
      }
      writer.Submit(std::move(batch));
    }
    writer.Drain();
    CHECK(sink.Records().size() == 12);
  }
  auto records = sink.Records();
  CHECK(records.front().status == 200);
  CHECK(records.back().status == 223);
}

}  // namespace
}  // namespace wharf::router
