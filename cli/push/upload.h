// The upload half of a push: ask wharfd which contents it lacks
// (POST /v1/resource_match), send only those as one tar streamed from a
// temporary file (POST /v1/resources), then record the package's file list
// (POST /v1/apps/:guid/packages). An unchanged app uploads no content.
#pragma once

#include <string>

#include "api-model/apps/build.h"
#include "cli/client/api_client.h"
#include "cli/client/context.h"
#include "cli/source/app_source.h"
#include "cli/source/file_scan.h"
#include "common/status.h"

namespace wharf::cli {

// Prints "Uploading N files, X (Y files, Z unchanged)" (or "0 files to
// upload ...") and a progress bar on a terminal; returns the package resource.
Result<api::Package> UploadPackage(CliContext& ctx, ApiClient& api, const std::string& app_guid,
                                   const FolderScan& scan, const AppSource& source);

}  // namespace wharf::cli
