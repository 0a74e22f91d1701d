// Every path of a wharfd's state derives from its data folder, so a test
// points the whole platform at a temporary folder.
#pragma once

#include <filesystem>

#include "common/status.h"

namespace wharf::controller {

struct DataLayout {
  std::filesystem::path root;

  std::filesystem::path database() const { return root / "wharf.db"; }
  std::filesystem::path disk_reserve() const { return root / "disk-reserve"; }  // DiskReserve
  std::filesystem::path blobs() const { return root / "blobs"; }
  std::filesystem::path logs() const { return root / "logs"; }
  std::filesystem::path event_log() const { return logs() / "events.log"; }
  std::filesystem::path app_logs() const { return logs() / "apps"; }
  std::filesystem::path admin_token() const { return root / "admin-token"; }
  std::filesystem::path router_token() const { return root / "router-token"; }  // for wharfd --roles router
  std::filesystem::path cell_token() const { return root / "cell-token"; }      // for wharfd --roles cell
  std::filesystem::path api_port_file() const { return root / "api-port"; }
  // The API's URL (http:// or https://, the host a local client reaches it at); written with api-port.
  std::filesystem::path api_url_file() const { return root / "api-url"; }
  // The router's HTTPS port actually bound (with --router-tls-port; its port or the router-only
  // wharfd's); written once it listens.
  std::filesystem::path router_tls_port_file() const { return root / "router-tls-port"; }
  std::filesystem::path lock_file() const { return root / "wharfd.lock"; }
  // The pid of the wharfd holding the lock, written by it once it holds it, removed at a clean stop.
  std::filesystem::path pid_file() const { return root / "wharfd.pid"; }
  std::filesystem::path runtime() const { return root / "runtime"; }    // the container runtime's state
  std::filesystem::path staging() const { return root / "staging"; }    // staging workspaces
  std::filesystem::path droplets() const { return root / "droplets"; }  // unpacked droplets the cell runs
  // The built-in brokers' records and credentials (root only; their servers' data is in --services-dir).
  std::filesystem::path builtin_brokers() const { return root / "builtin-brokers"; }
};

// Makes `root` absolute and creates the data folder (mode 0700 when created) and
// its logs folders.
Result<DataLayout> PrepareDataDir(const std::filesystem::path& root);

}  // namespace wharf::controller
