#include "state/apps/droplet_store.h"

#include "state/store_json.h"

namespace wharf::state {
namespace {

constexpr std::string_view kColumns =
    "guid, app_guid, package_guid, sha256, size_bytes, process_types, buildpacks, stack, created_at, staging_key";

Result<Droplet> ReadDroplet(Statement& st) {
  Droplet d;
  d.guid = st.Text(0);
  d.app_guid = st.Text(1);
  d.package_guid = st.OptionalText(2);
  d.sha256 = st.Text(3);
  d.size_bytes = st.Int(4);
  WHARF_ASSIGN_OR_RETURN(nlohmann::json types, ParseJsonColumn(st.Text(5), "process types of droplet " + d.guid));
  for (const auto& [k, v] : types.items()) {
    if (v.is_string()) d.process_types[k] = v.get<std::string>();
  }
  Result<nlohmann::json> buildpacks = ParseJsonColumn(st.Text(6), "buildpacks of droplet " + d.guid);
  if (!buildpacks.ok()) return buildpacks.status();
  d.buildpacks = std::move(buildpacks).value();
  d.stack = st.Text(7);
  d.created_at = st.Text(8);
  d.staging_key = st.Text(9);
  return d;
}

std::string Select(std::string_view rest) {
  return "SELECT " + std::string(kColumns) + " FROM droplets " + std::string(rest);
}

}  // namespace

Status DropletStore::Insert(const Droplet& d) {
  return tx_.Run(
      "INSERT INTO droplets (guid, app_guid, package_guid, state, sha256, size_bytes, process_types, buildpacks, "
      "stack, created_at, staging_key) VALUES (?, ?, ?, 'STAGED', ?, ?, ?, ?, ?, ?, ?)",
      d.guid, d.app_guid, d.package_guid, d.sha256, d.size_bytes, DumpJsonColumn(d.process_types),
      DumpJsonColumn(d.buildpacks), d.stack, d.created_at, d.staging_key);
}

Result<Droplet> DropletStore::Get(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto d, FetchOne<Droplet>(tx_.Query(Select("WHERE guid = ?"), guid), ReadDroplet));
  if (!d) return Status::NotFound("droplet '" + std::string(guid) + "' not found");
  return std::move(*d);
}

Result<Page<Droplet>> DropletStore::ListForApp(std::string_view app_guid, const PageRequest& page) {
  WHARF_ASSIGN_OR_RETURN(std::int64_t total,
                         FetchInt(tx_.Query("SELECT COUNT(*) FROM droplets WHERE app_guid = ?", app_guid)));
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<Droplet>(
      tx_.Query(Select("WHERE app_guid = ? ORDER BY id DESC LIMIT ? OFFSET ?"), app_guid, page.per_page, page.Offset()),
      ReadDroplet));
  return Page<Droplet>{std::move(items), total};
}

Result<std::optional<Droplet>> DropletStore::FindByStagingKey(std::string_view app_guid, std::string_view key) {
  if (key.empty()) return std::optional<Droplet>();
  return FetchOne<Droplet>(
      tx_.Query(Select("WHERE app_guid = ? AND staging_key = ? ORDER BY id DESC LIMIT 1"), app_guid, key), ReadDroplet);
}

Result<std::vector<Droplet>> DropletStore::AllForApp(std::string_view app_guid) {
  return FetchAll<Droplet>(tx_.Query(Select("WHERE app_guid = ? ORDER BY id DESC"), app_guid), ReadDroplet);
}

Status DropletStore::Delete(std::string_view guid) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM droplets WHERE guid = ?", guid));
  if (tx_.Changes() == 0) return Status::NotFound("droplet '" + std::string(guid) + "' not found");
  return Status::Ok();
}

Status DropletStore::DeleteForApp(std::string_view app_guid) {
  return tx_.Run("DELETE FROM droplets WHERE app_guid = ?", app_guid);
}

Status DropletStore::PutBuildpackCache(const BuildpackCache& c) {
  return tx_.Run(
      "INSERT INTO buildpack_caches (app_guid, stack, sha256, size_bytes, updated_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (app_guid, stack) DO UPDATE SET sha256 = excluded.sha256, size_bytes = excluded.size_bytes, "
      "updated_at = excluded.updated_at",
      c.app_guid, c.stack, c.sha256, c.size_bytes, c.updated_at);
}

Result<std::vector<BuildpackCache>> DropletStore::AllBuildpackCaches() {
  return FetchAll<BuildpackCache>(
      tx_.Query("SELECT app_guid, stack, sha256, size_bytes, updated_at FROM buildpack_caches ORDER BY id"),
      [](Statement& st) -> Result<BuildpackCache> {
        return BuildpackCache{st.Text(0), st.Text(1), st.Text(2), st.Int(3), st.Text(4)};
      });
}

Result<std::optional<BuildpackCache>> DropletStore::FindBuildpackCache(std::string_view app_guid,
                                                                      std::string_view stack) {
  return FetchOne<BuildpackCache>(
      tx_.Query("SELECT app_guid, stack, sha256, size_bytes, updated_at FROM buildpack_caches "
                "WHERE app_guid = ? AND stack = ?",
                app_guid, stack),
      [](Statement& st) -> Result<BuildpackCache> {
        return BuildpackCache{st.Text(0), st.Text(1), st.Text(2), st.Int(3), st.Text(4)};
      });
}

Status DropletStore::DeleteBuildpackCachesForApp(std::string_view app_guid) {
  return tx_.Run("DELETE FROM buildpack_caches WHERE app_guid = ?", app_guid);
}

}  // namespace wharf::state
