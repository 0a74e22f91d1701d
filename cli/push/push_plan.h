// Turns `wharf push` flags and the manifest into the list of app specs to
// push — without any network access, so that every mistake in flags or
// manifest is found before the first API call.
//
// Rules (as the cf CLI): flags override the manifest; with a manifest of
// several apps, `push NAME` pushes only NAME (an error when NAME is not in
// it) and overriding flags need a NAME; a manifest of one app takes NAME as
// its name; without a manifest NAME is required.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/manifest/manifest.h"
#include "common/status.h"

namespace wharf::cli {

struct PushFlags {
  std::string app_name;                           // positional, may be empty
  std::optional<std::string> manifest_path;       // -f
  bool no_manifest = false;                       // --no-manifest
  std::optional<std::string> path;                // -p
  std::vector<std::string> buildpacks;            // -b (repeatable)
  std::optional<std::string> command;             // -c
  std::optional<std::int64_t> instances;          // -i
  std::optional<std::string> memory;              // -m
  std::optional<std::string> disk;                // -k
  std::optional<std::string> health_check_type;   // -u
  std::optional<std::string> endpoint;            // --endpoint
  std::optional<std::int64_t> timeout;            // -t
  std::optional<std::string> stack;               // -s
  bool no_start = false;
  bool no_route = false;
  bool random_route = false;
  std::vector<std::string> vars;                  // --var K=V
  std::vector<std::string> vars_files;            // --vars-file
  std::optional<std::string> git;                 // --git URL_OR_PATH
  std::optional<std::string> git_ref;             // --ref
  std::optional<std::string> droplet;             // --droplet TARBALL
  std::optional<nlohmann::json> deploy;           // --strategy and its options (cli/push/deploy.h)
};

struct PushPlan {
  std::string manifest_file;            // empty without a manifest
  std::vector<AppSpec> apps;            // each with `path` set unless `git` is
  std::vector<std::string> warnings;    // manifest warnings, in file order
  bool no_start = false;
  std::optional<std::string> git;
  std::string git_ref;
  std::optional<std::filesystem::path> droplet;  // --droplet: run this tarball instead of staging source
  std::optional<nlohmann::json> deploy;  // POST /v1/apps/:guid/actions/deploy body, for apps already running
};

// `cwd` is where relative -p, -f and --vars-file paths and the default
// manifest are looked up. Usage mistakes come back as UsageError (exit 2);
// manifest and file problems as ordinary errors (exit 1).
Result<PushPlan> PlanPush(const PushFlags& flags, const std::filesystem::path& cwd);

}  // namespace wharf::cli
