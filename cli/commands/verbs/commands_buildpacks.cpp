// buildpacks, create-buildpack, update-buildpack, delete-buildpack: the
// admin-ordered list staging detects with, as in Cloud Foundry.
#include <algorithm>
#include <cstdlib>
#include <ostream>

#include "api-model/apps/buildpack.h"
#include "cli/client/resources.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/archive/archive.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A temporary folder removed when it goes out of scope.
class TempFolder {
 public:
  explicit TempFolder(fs::path path) : path_(std::move(path)) {}
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Status ValidateBuildpackName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("the buildpack name is empty");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("buildpack name '" + name + "' may hold only letters, digits, '_' and '-'");
    }
  }
  return Status::Ok();
}

Result<std::int64_t> ParsePosition(const std::string& text) {
  char* end = nullptr;
  long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 1) {
    return UsageError("POSITION must be a whole number 1 or more, not '" + text + "'");
  }
  return static_cast<std::int64_t>(n);
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Tars `dir` (its contents at the archive's top) into `out`, gzip-compressed.
Status TarFolder(const fs::path& dir, const fs::path& out) {
  WHARF_ASSIGN_OR_RETURN(auto writer, TarWriter::ToFile(out, TarWriter::Compression::kGzip));
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec) return Status::Internal("reading " + dir.string() + ": " + ec.message());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& path : entries) {
    const std::string rel = path.lexically_relative(dir).generic_string();
    fs::file_status st = fs::symlink_status(path, ec);
    if (ec) return Status::Internal("reading " + path.string() + ": " + ec.message());
    const auto mode = static_cast<std::uint32_t>(st.permissions() & fs::perms::mask) & 0777;
    if (fs::is_symlink(st)) {
      WHARF_RETURN_IF_ERROR(writer->AddSymlink(rel, fs::read_symlink(path, ec).string()));
    } else if (fs::is_directory(st)) {
      WHARF_RETURN_IF_ERROR(writer->AddDirectory(rel, mode | 0700));
    } else if (fs::is_regular_file(st)) {
      WHARF_RETURN_IF_ERROR(writer->AddFile(rel, path, mode | 0400));
    }
  }
  return writer->Close();
}

// Uploads PATH (a folder, tarred on the fly, or a .zip/.tgz/.tar.gz/.tar file as it is).
Status UploadBits(CliContext& ctx, ApiClient& api, const api::Buildpack& buildpack, const std::string& path_arg) {
  fs::path path = fs::path(path_arg).is_absolute() ? fs::path(path_arg) : ctx.cwd() / path_arg;
  std::error_code ec;
  ctx.out() << "Uploading buildpack " << buildpack.name << ctx.AsUser() << "...\n";
  std::optional<TempFolder> temp;
  fs::path file = path;
  std::string filename = path.filename().string();
  std::string content_type = "application/octet-stream";
  if (fs::is_directory(path, ec)) {
    WHARF_ASSIGN_OR_RETURN(auto dir, MakeTempDirectory(fs::temp_directory_path(ec), "wharf-buildpack-"));
    temp.emplace(dir);
    filename = path.lexically_normal().filename().string();
    if (filename.empty()) filename = path.lexically_normal().parent_path().filename().string();
    filename += ".tgz";
    file = temp->path() / filename;
    WHARF_RETURN_IF_ERROR(TarFolder(path, file).WithContext("packing " + path.string()));
    content_type = "application/gzip";
  } else if (fs::is_regular_file(path, ec)) {
    const std::string lower = filename;
    if (!EndsWith(lower, ".zip") && !EndsWith(lower, ".tgz") && !EndsWith(lower, ".tar.gz") &&
        !EndsWith(lower, ".tar")) {
      return Status::InvalidArgument("buildpack " + path.string() +
                                     " must be a folder or a .zip, .tgz, .tar.gz or .tar file");
    }
  } else {
    return Status::NotFound("buildpack path " + path.string() + " does not exist");
  }
  WHARF_ASSIGN_OR_RETURN(auto r, api.PutFile("/v1/buildpacks/" + buildpack.guid + "/upload?filename=" +
                                   ApiClient::Escape(filename),
                               content_type, file, nullptr));
  ctx.out() << "Done uploading\nOK\n";
  return Status::Ok();
}

// The buildpack named `name`, or nullopt.
Result<std::optional<api::Buildpack>> FindBuildpack(ApiClient& api, const std::string& name) {
  WHARF_ASSIGN_OR_RETURN(auto all, api.GetAllAs<api::Buildpack>("/v1/buildpacks"));
  for (api::Buildpack& b : all) {
    if (b.name == name) return std::optional<api::Buildpack>(std::move(b));
  }
  return std::optional<api::Buildpack>();
}

std::string BoolText(bool value) { return value ? "true" : "false"; }

Status RunBuildpacks(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto all, api->GetAllAs<api::Buildpack>("/v1/buildpacks"));
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(all));
    return Status::Ok();
  }
  ctx.out() << "Getting buildpacks" << ctx.AsUser() << "...\n\n";
  if (all.empty()) {
    ctx.out() << "No buildpacks found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::Buildpack& b : all) {
    rows.push_back({std::to_string(b.position), b.name, b.stack.value_or(""), BoolText(b.enabled), BoolText(b.locked),
                    b.filename.value_or("")});
  }
  ctx.out() << RenderTable({"position", "name", "stack", "enabled", "locked", "filename"}, rows,
                           ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunCreateBuildpack(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_RETURN_IF_ERROR(ValidateBuildpackName(name));
  WHARF_ASSIGN_OR_RETURN(auto position, ParsePosition(args.positionals[2]));
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  ctx.out() << "Creating buildpack " << name << ctx.AsUser() << "...\n";
  Result<api::Buildpack> created = api->PostAs<api::Buildpack>(
      "/v1/buildpacks", json{{"name", name}, {"position", position}, {"enabled", !args.Has("disable")}});
  if (!created.ok() && created.status().code() == StatusCode::kConflict) {
    return Status::Conflict("Buildpack " + name + " already exists (use 'wharf update-buildpack' to change it)");
  }
  if (!created.ok()) return created.status();
  ctx.out() << "OK\n\n";
  return UploadBits(ctx, *api, *created, args.positionals[1]);
}

Status RunUpdateBuildpack(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  if (args.Has("enable") && args.Has("disable")) return UsageError("--enable and --disable cannot be used together");
  json changes = json::object();
  if (auto i = args.Value("i")) {
    Result<std::int64_t> position = ParsePosition(*i);
    if (!position.ok()) return position.status();
    changes["position"] = *position;
  }
  if (args.Has("enable")) changes["enabled"] = true;
  if (args.Has("disable")) changes["enabled"] = false;
  if (auto rename = args.Value("rename")) {
    WHARF_RETURN_IF_ERROR(ValidateBuildpackName(*rename));
    changes["name"] = *rename;
  }
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto found, FindBuildpack(*api, name));
  if (!found.has_value()) return Status::NotFound("Buildpack " + name + " not found");
  api::Buildpack buildpack = *found;
  if (changes.contains("name")) {
    ctx.out() << "Renaming buildpack " << name << " to " << changes["name"].get<std::string>() << ctx.AsUser()
              << "...\n";
  } else {
    ctx.out() << "Updating buildpack " << name << ctx.AsUser() << "...\n";
  }
  if (!changes.empty()) {
    WHARF_ASSIGN_OR_RETURN(auto updated, api->PatchAs<api::Buildpack>("/v1/buildpacks/" + buildpack.guid, changes));
    buildpack = updated;
  }
  ctx.out() << "OK\n";
  if (auto path = args.Value("p")) {
    ctx.out() << "\n";
    return UploadBits(ctx, *api, buildpack, *path);
  }
  return Status::Ok();
}

Status RunDeleteBuildpack(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(auto go_on, ConfirmDelete(ctx, args, "buildpack " + name));
  if (!go_on) return Status::Ok();
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  ctx.out() << "Deleting buildpack " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto found, FindBuildpack(*api, name));
  if (!found.has_value()) {
    ctx.out() << "Buildpack " << name << " does not exist.\nOK\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto r, api->Delete("/v1/buildpacks/" + found->guid));
  ctx.out() << "OK\n";
  return Status::Ok();
}

}  // namespace

void AddBuildpackCommands(std::vector<Command>& out) {
  const std::string group = "Buildpacks";
  out.push_back({{"buildpacks", {}, group, "List all buildpacks", "wharf buildpacks [--json]",
                  "Staging without -b runs each enabled buildpack's bin/detect in this order; the first that "
                  "answers yes stages the app.",
                  {}, {JsonFlag()}},
                 RunBuildpacks});
  out.push_back({{"create-buildpack", {}, group, "Create a buildpack", "wharf create-buildpack BUILDPACK PATH POSITION [--disable]",
                  "PATH is a folder (packed as a .tgz on the fly) or a .zip, .tgz, .tar.gz or .tar file; its bin/detect "
                  "must be at its top or in its only folder. POSITION 1 is tried first; those at POSITION and after "
                  "move down by one, and a POSITION past the end puts it last. Needs the admin role.\n"
                  "EXAMPLES:\n   wharf create-buildpack hello_buildpack ./hello-buildpack 1\n"
                  "   wharf create-buildpack go_buildpack ~/go-buildpack.zip 3 --disable",
                  {{"BUILDPACK"}, {"PATH"}, {"POSITION"}},
                  {{"disable", 0, FlagKind::kBool, "", "Disable the buildpack from being used for staging"}}},
                 RunCreateBuildpack});
  out.push_back({{"update-buildpack", {}, group, "Update a buildpack",
                  "wharf update-buildpack BUILDPACK [-i POSITION] [--enable|--disable] [-p PATH] [--rename NEW_NAME]",
                  "Moving to POSITION shifts those in between by one. PATH replaces the buildpack's files, as in "
                  "create-buildpack. Needs the admin role.",
                  {{"BUILDPACK"}},
                  {{"i", 'i', FlagKind::kString, "POSITION", "The order in which the buildpacks are checked during "
                                                             "buildpack auto-detection", false},
                   {"enable", 0, FlagKind::kBool, "", "Enable the buildpack to be used for staging"},
                   {"disable", 0, FlagKind::kBool, "", "Disable the buildpack from being used for staging"},
                   {"p", 'p', FlagKind::kString, "PATH", "Path to a folder or a zip/tar file of the buildpack", false},
                   {"rename", 0, FlagKind::kString, "NEW_NAME", "Rename an existing buildpack"}}},
                 RunUpdateBuildpack});
  out.push_back({{"delete-buildpack", {}, group, "Delete a buildpack", "wharf delete-buildpack BUILDPACK [-f]",
                  "Those after it move up by one. A built-in buildpack can be deleted too; it does not come back. "
                  "Asks for confirmation unless -f is given; without a terminal, -f is required. Needs the admin role.",
                  {{"BUILDPACK"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 RunDeleteBuildpack});
}

}  // namespace wharf::cli
