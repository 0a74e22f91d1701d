#include "state/apps/package_store.h"

#include "state/store_json.h"

namespace wharf::state {
namespace {

constexpr std::string_view kColumns = "guid, app_guid, state, sha256, file_count, size_bytes, source, created_at";

Result<Package> ReadPackage(Statement& st) {
  Package p;
  p.guid = st.Text(0);
  p.app_guid = st.Text(1);
  Result<PackageState> state = ParsePackageState(st.Text(2));
  if (!state.ok()) return Status::Internal("package " + p.guid + ": " + state.status().message());
  p.state = *state;
  p.sha256 = st.Text(3);
  p.file_count = st.Int(4);
  p.size_bytes = st.Int(5);
  Result<nlohmann::json> source = ParseJsonColumn(st.Text(6), "source of package " + p.guid);
  if (!source.ok()) return source.status();
  p.source = std::move(source).value();
  p.created_at = st.Text(7);
  return p;
}

std::string Select(std::string_view rest) { return "SELECT " + std::string(kColumns) + " FROM packages " + std::string(rest); }

}  // namespace

Status PackageStore::Insert(const Package& p) {
  return tx_.Run(
      "INSERT INTO packages (guid, app_guid, state, sha256, file_count, size_bytes, source, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      p.guid, p.app_guid, PackageStateName(p.state), p.sha256, p.file_count, p.size_bytes, DumpJsonColumn(p.source),
      p.created_at);
}

Result<Package> PackageStore::Get(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto p, FetchOne<Package>(tx_.Query(Select("WHERE guid = ?"), guid), ReadPackage));
  if (!p) return Status::NotFound("package '" + std::string(guid) + "' not found");
  return std::move(*p);
}

Result<Page<Package>> PackageStore::ListForApp(std::string_view app_guid, const PageRequest& page) {
  WHARF_ASSIGN_OR_RETURN(std::int64_t total,
                         FetchInt(tx_.Query("SELECT COUNT(*) FROM packages WHERE app_guid = ?", app_guid)));
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<Package>(
      tx_.Query(Select("WHERE app_guid = ? ORDER BY id DESC LIMIT ? OFFSET ?"), app_guid, page.per_page, page.Offset()),
      ReadPackage));
  return Page<Package>{std::move(items), total};
}

Result<std::vector<Package>> PackageStore::AllForApp(std::string_view app_guid) {
  return FetchAll<Package>(tx_.Query(Select("WHERE app_guid = ? ORDER BY id DESC"), app_guid), ReadPackage);
}

Result<std::optional<Package>> PackageStore::NewestForApp(std::string_view app_guid) {
  return FetchOne<Package>(tx_.Query(Select("WHERE app_guid = ? ORDER BY id DESC LIMIT 1"), app_guid), ReadPackage);
}

Status PackageStore::Delete(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM packages WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("package '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Status PackageStore::DeleteForApp(std::string_view app_guid) {
  return tx_.Run("DELETE FROM packages WHERE app_guid = ?", app_guid);
}

}  // namespace wharf::state
