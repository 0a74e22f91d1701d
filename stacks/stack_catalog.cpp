#include "stacks/stack_catalog.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/file_io.h"

namespace wharf::stacks {

namespace fs = std::filesystem;

bool IsHostStack(std::string_view name) { return name.empty() || name == kHostStack; }

bool ValidStackName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

Result<fs::path> StackRoot(const fs::path& stacks_dir, std::string_view name) {
  if (!ValidStackName(name)) return Status::InvalidArgument("'" + std::string(name) + "' is not a valid stack name");
  fs::path root = stacks_dir / std::string(name) / "rootfs";
  std::error_code ec;
  if (!fs::is_directory(root / "usr", ec)) {
    return Status::NotFound("stack " + std::string(name) + " is not installed (no " + root.string() +
                            "; scripts/setup.sh builds the stacks)");
  }
  fs::path canonical = fs::canonical(root, ec);  // runc wants a path without links
  if (ec) return Status::Internal("cannot resolve " + root.string() + ": " + ec.message());
  return canonical;
}

namespace {

std::optional<StackInfo> ReadStack(const fs::path& dir) {
  const std::string name = dir.filename().string();
  if (!ValidStackName(name)) return std::nullopt;
  auto text = ReadFile(dir / "stack.json");
  if (!text.ok()) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto root = StackRoot(dir.parent_path(), name);
  if (!root.ok()) return std::nullopt;
  StackInfo s;
  s.name = name;
  s.root = *root;
  s.description = j.value("description", "");
  s.built_at = j.value("built_at", "");
  if (j.contains("size_bytes") && j["size_bytes"].is_number_unsigned()) s.size_bytes = j["size_bytes"].get<std::uint64_t>();
  if (j.contains("versions") && j["versions"].is_object()) {
    for (const auto& [k, v] : j["versions"].items()) {
      if (v.is_string()) s.versions[k] = v.get<std::string>();
    }
  }
  return s;
}

}  // namespace

StackCatalog StackCatalog::Load(const fs::path& stacks_dir, std::string host_description) {
  StackCatalog c;
  std::error_code ec;
  if (!stacks_dir.empty() && fs::is_directory(stacks_dir, ec)) {
    for (const auto& entry : fs::directory_iterator(stacks_dir, ec)) {
      if (!entry.is_directory(ec)) continue;
      if (auto s = ReadStack(entry.path())) c.stacks_.push_back(std::move(*s));
    }
  }
  std::sort(c.stacks_.begin(), c.stacks_.end(), [](const StackInfo& a, const StackInfo& b) { return a.name < b.name; });
  StackInfo host;
  host.name = std::string(kHostStack);
  host.description = "The host's own system" +
                     (host_description.empty() ? std::string() : ", " + host_description) +
                     " (for developers: apps get what the host has)";
  c.stacks_.push_back(std::move(host));
  return c;
}

const StackInfo* StackCatalog::Find(std::string_view name) const {
  for (const auto& s : stacks_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const std::string& StackCatalog::DefaultName() const { return stacks_.front().name; }

Status StackCatalog::Check(std::string_view name) const {
  if (Find(name) != nullptr) return Status::Ok();
  std::string names;
  for (const auto& s : stacks_) names += (names.empty() ? "" : ", ") + s.name;
  return Status::InvalidArgument("stack '" + std::string(name) + "' is not installed; the stacks are: " + names);
}

std::string HostStackDescription(const fs::path& os_release) {
  auto text = ReadFile(os_release);
  if (!text.ok()) return "";
  std::string_view rest = *text;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string_view v = line.substr(12);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
    return std::string(v);
  }
  return "";
}

}  // namespace wharf::stacks
