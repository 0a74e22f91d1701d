#include "runtime/logs/file_tail.h"

#include <doctest/doctest.h>

#include <fstream>
#include <vector>

#include "common/file_io.h"

namespace wharf::runtime {
namespace {

void Append(const std::filesystem::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::app | std::ios::binary);
  f << s;
}

}  // namespace

TEST_CASE("FileTail yields complete lines as the file grows and keeps a partial line") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "tail-");
  REQUIRE(dir.ok());
  auto file = *dir / "stdout.log";
  FileTail tail(file);
  std::vector<std::string> lines;
  auto collect = [&](std::string_view l) { lines.emplace_back(l); };
  CHECK(tail.Poll(collect) == 0);  // not there yet
  Append(file, "one\ntwo\r\nthr");
  tail.Poll(collect);
  CHECK(lines == std::vector<std::string>{"one", "two"});
  Append(file, "ee\n");
  tail.Poll(collect);
  CHECK(lines.back() == "three");
  Append(file, "tail without newline");
  tail.Poll(collect);
  CHECK(lines.size() == 3);
  tail.Flush(collect);
  CHECK(lines.back() == "tail without newline");
  std::filesystem::remove_all(*dir);
}

TEST_CASE("FileTail starts over when the file was truncated") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "tail-");
  REQUIRE(dir.ok());
  auto file = *dir / "stdout.log";
  Append(file, "a long first line\n");
  FileTail tail(file);
  std::vector<std::string> lines;
  auto collect = [&](std::string_view l) { lines.emplace_back(l); };
  tail.Poll(collect);
  std::filesystem::resize_file(file, 0);
  Append(file, "b\n");
  tail.Poll(collect);
  CHECK(lines == std::vector<std::string>{"a long first line", "b"});
  std::filesystem::remove_all(*dir);
}

TEST_CASE("FileTail cuts an endless line into bounded pieces") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "tail-");
  REQUIRE(dir.ok());
  auto file = *dir / "stdout.log";
  Append(file, std::string(250, 'x') + "\n");
  FileTail tail(file);
  std::vector<std::string> lines;
  tail.Poll([&](std::string_view l) { lines.emplace_back(l); }, 100);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].size() == 100);
  CHECK(lines[2].size() == 50);
  std::filesystem::remove_all(*dir);
}

}  // namespace wharf::runtime
