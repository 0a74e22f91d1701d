#include "controller/services/builds/droplet_service.h"

#include <mutex>

#include <nlohmann/json.hpp>

#include "common/archive/archive.h"
#include "common/facts/health_check_type.h"
#include "common/file_io.h"
#include "common/ids.h"
#include "controller/services/builds/upload_spool.h"
#include "stager/droplet/droplet_metadata.h"
#include "state/apps/app_store.h"
#include "state/apps/droplet_store.h"

namespace wharf::controller {
namespace fs = std::filesystem;
namespace {

EventTarget TargetOf(const state::App& app) { return EventTarget{"app", app.guid, app.name, app.space_guid}; }

// What an uploaded droplet says about itself.
struct DropletFacts {
  std::map<std::string, std::string> process_types;
  nlohmann::json buildpacks = nlohmann::json::array();
};

Result<DropletFacts> ReadFacts(const fs::path& unpacked) {
  std::error_code ec;
  if (!fs::is_directory(unpacked / "app", ec)) {
    return Status::InvalidArgument("the droplet has no app/ folder (a droplet tarball holds app/, deps/, "
                                   "profile.d/ and staging_info.yml at its top)");
  }
  DropletFacts facts;
  if (fs::exists(unpacked / stager::kDropletMetadataFile, ec)) {
    WHARF_ASSIGN_OR_RETURN(std::string text, ReadFile(unpacked / stager::kDropletMetadataFile));
    Result<stager::DropletMetadata> m = stager::ParseDropletMetadataJson(text);
    if (!m.ok()) return Status::InvalidArgument("the droplet's droplet.json: " + m.status().message());
    facts.process_types = m->process_types;
    if (!m->start_command.empty() && !facts.process_types.count("web")) {
      facts.process_types["web"] = m->start_command;
    }
    for (const stager::BuildpackUsed& b : m->buildpacks) {
      facts.buildpacks.push_back({{"name", b.name}, {"version", b.version}});
    }
    return facts;
  }
  if (!fs::exists(unpacked / stager::kStagingInfoFile, ec)) {
    return Status::InvalidArgument("the droplet has neither droplet.json nor staging_info.yml: nothing says how "
                                   "to start it");
  }
  WHARF_ASSIGN_OR_RETURN(std::string text, ReadFile(unpacked / stager::kStagingInfoFile));
  nlohmann::json info = nlohmann::json::parse(text, nullptr, false);
  if (!info.is_object()) return Status::InvalidArgument("the droplet's staging_info.yml is not a JSON object");
  auto command = info.find("start_command");
  if (command == info.end() || !command->is_string() || command->get<std::string>().empty()) {
    return Status::InvalidArgument("the droplet's staging_info.yml has no start_command");
  }
  facts.process_types["web"] = command->get<std::string>();
  if (auto bp = info.find("detected_buildpack"); bp != info.end() && bp->is_string() && !bp->get<std::string>().empty()) {
    facts.buildpacks.push_back({{"name", bp->get<std::string>()}, {"version", ""}});
  }
  return facts;
}

}  // namespace

Status AddMissingProcesses(state::Tx& tx, const state::App& app,
                           const std::map<std::string, std::string>& process_types, const std::string& now) {
  state::ProcessStore processes(tx);
  for (const auto& [type, command] : process_types) {
    WHARF_ASSIGN_OR_RETURN(std::optional<state::Process> existing, processes.Find(app.guid, type));
    if (existing) continue;
    state::Process p;
    p.guid = NewGuid();
    p.app_guid = app.guid;
    p.type = type;
    p.instances = type == "web" ? 1 : 0;
    p.health_check.type = DefaultHealthCheckType(type);
    p.created_at = p.updated_at = now;
    WHARF_RETURN_IF_ERROR(processes.Insert(p));
  }
  return Status::Ok();
}

Result<state::Droplet> DropletService::Upload(const Actor& actor, const std::string& app_guid, std::istream& tarball,
                                              std::uint64_t max_bytes) {
  WHARF_ASSIGN_OR_RETURN(state::App app,
                         db_.Read<state::App>([&](state::Tx& tx) { return state::AppStore(tx).Get(app_guid); }));
  std::error_code ec;
  fs::create_directories(scratch_dir_, ec);
  if (ec) return Status::Internal("creating " + scratch_dir_.string() + ": " + ec.message());
  WHARF_ASSIGN_OR_RETURN(fs::path tmp, MakeTempDirectory(scratch_dir_, "droplet-"));
  ScratchDir scratch(tmp);
  const fs::path file = scratch.path() / "droplet.tgz";
  WHARF_RETURN_IF_ERROR(Spool(tarball, file, max_bytes, "the droplet"));
  const fs::path unpacked = scratch.path() / "unpacked";
  fs::create_directories(unpacked, ec);
  if (ec) return Status::Internal("creating " + unpacked.string() + ": " + ec.message());
  if (Status s = ExtractArchive(file, unpacked); !s.ok()) {
    if (s.code() == StatusCode::kInvalidArgument) {
      return Status::InvalidArgument("the droplet is not a tarball that unpacks safely: " + s.message());
    }
    return s;
  }
  WHARF_ASSIGN_OR_RETURN(DropletFacts facts, ReadFacts(unpacked));

  // Held shared from the blob's arrival to the row naming it, so GC cannot remove it in between.
  std::shared_lock blobs_stay(blob_lock_);
  WHARF_ASSIGN_OR_RETURN(store::BlobInfo blob, blobs_.PutFile(file));
  return db_.Transact<state::Droplet>([&](state::Tx& tx) -> Result<state::Droplet> {
    WHARF_ASSIGN_OR_RETURN(state::App current, state::AppStore(tx).Get(app_guid));  // still there
    state::Droplet d;
    d.guid = NewGuid();
    d.app_guid = current.guid;
    d.sha256 = blob.sha256;
    d.size_bytes = static_cast<std::int64_t>(blob.size);
    d.process_types = facts.process_types;
    d.buildpacks = facts.buildpacks;
    d.stack = current.stack;
    d.created_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(state::DropletStore(tx).Insert(d));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "droplet-uploaded", TargetOf(current),
                                         {{"droplet_guid", d.guid}, {"droplet_bytes", d.size_bytes}}));
    return d;
  });
}

Result<state::Droplet> DropletService::SetCurrent(const Actor& actor, const std::string& app_guid,
                                                  const std::string& droplet_guid) {
  return db_.Transact<state::Droplet>([&](state::Tx& tx) -> Result<state::Droplet> {
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(state::App app, apps.Get(app_guid));
    Result<state::Droplet> d = state::DropletStore(tx).Get(droplet_guid);
    if (!d.ok() || d->app_guid != app.guid) {
      if (!d.ok() && d.status().code() != StatusCode::kNotFound) return d.status();
      return Status::NotFound("app '" + app.name + "' has no droplet '" + droplet_guid + "'");
    }
    const std::string now = FormatRfc3339(clock_.Now());
    app.current_droplet_guid = d->guid;
    app.updated_at = now;
    WHARF_RETURN_IF_ERROR(apps.Update(app));
    WHARF_RETURN_IF_ERROR(AddMissingProcesses(tx, app, d->process_types, now));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-droplet-set", TargetOf(app), {{"droplet_guid", d->guid}}));
    return *d;
  });
}

Result<DropletDownload> DropletService::Open(const std::string& droplet_guid) {
  DropletDownload out;
  WHARF_ASSIGN_OR_RETURN(
      out.droplet, db_.Read<state::Droplet>([&](state::Tx& tx) { return state::DropletStore(tx).Get(droplet_guid); }));
  std::shared_lock blobs_stay(blob_lock_);
  out.tarball = std::make_unique<std::ifstream>(blobs_.PathOf(out.droplet.sha256), std::ios::binary);
  if (!*out.tarball) return Status::NotFound("the tarball of droplet '" + droplet_guid + "' is missing");
  return out;
}

}  // namespace wharf::controller
