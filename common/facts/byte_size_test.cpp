#include "common/facts/byte_size.h"

#include <doctest/doctest.h>

using namespace wharf;

TEST_CASE("sizes with units parse to megabytes") {
  CHECK(*ParseMegabytes("256M") == 256);
  CHECK(*ParseMegabytes("256MB") == 256);
  CHECK(*ParseMegabytes("1G") == 1024);
  CHECK(*ParseMegabytes("2gb") == 2048);
  CHECK(*ParseMegabytes("1024K") == 1);
  CHECK(*ParseMegabytes("1T") == 1024 * 1024);
}

TEST_CASE("sizes without a unit or with garbage are refused") {
  CHECK_FALSE(ParseMegabytes("256").ok());
  CHECK_FALSE(ParseMegabytes("M").ok());
  CHECK_FALSE(ParseMegabytes("12X").ok());
  CHECK_FALSE(ParseMegabytes("0M").ok());
  CHECK_FALSE(ParseMegabytes("-5M").ok());
  CHECK(ParseMegabytes("abc").status().message().find("abc") != std::string::npos);
}

TEST_CASE("log rate limits parse to bytes per second, -1 is unlimited") {
  CHECK(*ParseLogRateLimit("1K") == 1024);
  CHECK(*ParseLogRateLimit("16kb") == 16384);
  CHECK(*ParseLogRateLimit("1M") == 1048576);
  CHECK(*ParseLogRateLimit("512B") == 512);
  CHECK(*ParseLogRateLimit("0B") == 0);
  CHECK(*ParseLogRateLimit("-1") == -1);
  CHECK(ParseLogRateLimit("100").status().message().find("must be -1 (unlimited) or a size") != std::string::npos);
  CHECK_FALSE(ParseLogRateLimit("-2").ok());
  CHECK_FALSE(ParseLogRateLimit("1T").ok());
}

TEST_CASE("formatting picks gigabytes when exact") {
  CHECK(FormatMegabytes(1024) == "1G");
  CHECK(FormatMegabytes(256) == "256M");
  CHECK(FormatBytes(512) == "512 B");
  CHECK(FormatBytes(1536) == "1.5 KiB");
}
