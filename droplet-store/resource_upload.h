// Intake of uploaded file contents ("resources") for resource matching: the
// client sends a tar whose regular-file entries are named by the sha256 of
// their content. Each entry is hashed while it is written; the upload is all
// or nothing: if any entry is malformed, mismatched or over a limit, nothing of
// it is kept (blobs it added are removed) and the error names the entry.
// Errors: kInvalidArgument (malformed tar, a name that is not a digest, a
// non-file entry), kUnprocessable (content does not match its name), kTooLarge.
// Blobs that were stored before the upload stay. (Known edge: if two uploads
// race to add the same new content and one fails, that one's rollback removes
// the blob the other counted as existing; creating the package then reports it
// missing and the client uploads again.)
#pragma once

#include <cstdint>
#include <istream>

#include "common/archive/archive.h"
#include "common/status.h"
#include "droplet-store/blob_store.h"

namespace wharf::store {

struct UploadSummary {
  std::uint64_t files = 0;          // entries in the upload
  std::uint64_t new_blobs = 0;      // of those, contents that were not stored before
  std::uint64_t bytes = 0;          // content bytes received
};

Result<UploadSummary> ImportResources(BlobStore& blobs, std::istream& tar, const ArchiveLimits& limits);

}  // namespace wharf::store
