#include "state/apps/buildpack_store.h"

namespace wharf::state {
namespace {

constexpr std::string_view kColumns =
    "guid, name, position, enabled, stack, builtin, filename, sha256, created_at, updated_at";

Result<Buildpack> ReadBuildpack(Statement& st) {
  Buildpack b;
  b.guid = st.Text(0);
  b.name = st.Text(1);
  b.position = st.Int(2);
  b.enabled = st.Int(3) != 0;
  b.stack = st.OptionalText(4);
  b.builtin = st.Int(5) != 0;
  b.filename = st.Text(6);
  b.sha256 = st.OptionalText(7);
  b.created_at = st.Text(8);
  b.updated_at = st.Text(9);
  return b;
}

// The duplicate key is the name: the guid is fresh and id is SQLite's.
Status NameConflict(const Result<WriteOutcome>& written, const std::string& name) {
  if (!written.ok()) return written.status();
  if (*written == WriteOutcome::kDuplicate) return Status::Conflict("buildpack '" + name + "' already exists");
  return Status::Ok();
}

}  // namespace

Status BuildpackStore::Insert(const Buildpack& b) {
  return NameConflict(tx_.RunUnlessDuplicate("INSERT INTO buildpacks (" + std::string(kColumns) +
                                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                             b.guid, b.name, b.position, b.enabled, b.stack, b.builtin, b.filename,
                                             b.sha256, b.created_at, b.updated_at),
                      b.name);
}

Result<Buildpack> BuildpackStore::Get(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto b, FetchOne<Buildpack>(
      tx_.Query("SELECT " + std::string(kColumns) + " FROM buildpacks WHERE guid = ?", guid), ReadBuildpack));
  if (!b) return Status::NotFound("buildpack '" + std::string(guid) + "' not found");
  return std::move(*b);
}

Result<std::optional<Buildpack>> BuildpackStore::FindByName(std::string_view name) {
  return FetchOne<Buildpack>(
      tx_.Query("SELECT " + std::string(kColumns) + " FROM buildpacks WHERE name = ?", name), ReadBuildpack);
}

Result<std::vector<Buildpack>> BuildpackStore::List() {
  return FetchAll<Buildpack>(
      tx_.Query("SELECT " + std::string(kColumns) + " FROM buildpacks ORDER BY position, id"), ReadBuildpack);
}

Result<std::int64_t> BuildpackStore::Count() { return FetchInt(tx_.Query("SELECT COUNT(*) FROM buildpacks")); }

Status BuildpackStore::Update(const Buildpack& b) {
  return NameConflict(
      tx_.RunUnlessDuplicate("UPDATE buildpacks SET name = ?, position = ?, enabled = ?, stack = ?, builtin = ?, "
                             "filename = ?, sha256 = ?, updated_at = ? WHERE guid = ?",
                             b.name, b.position, b.enabled, b.stack, b.builtin, b.filename, b.sha256, b.updated_at,
                             b.guid),
      b.name);
}

Status BuildpackStore::Delete(std::string_view guid) {
  return tx_.Run("DELETE FROM buildpacks WHERE guid = ?", guid);
}

Status BuildpackStore::Shift(std::int64_t from, std::int64_t to, std::int64_t delta) {
  if (from > to) return Status::Ok();
  return tx_.Run("UPDATE buildpacks SET position = position + ? WHERE position >= ? AND position <= ?", delta, from,
                 to);
}

Result<std::vector<std::string>> BuildpackStore::ArchiveBlobs() {
  return FetchAll<std::string>(tx_.Query("SELECT sha256 FROM buildpacks WHERE sha256 IS NOT NULL"),
                               [](Statement& st) { return Result<std::string>(st.Text(0)); });
}

}  // namespace wharf::state
