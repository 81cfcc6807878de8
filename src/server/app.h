// App: the running platform behind `awoooi serve` — the store, the shield, the topology, the
// analysis pipeline and the HTTP API wired together from one Config.
//
// Lifecycle: Create() (opens everything, fails with a message naming the problem) -> Listen()
// -> Run() (blocks) ; Shutdown() from a signal handler thread or a test makes Run() return after
// in-flight requests finish and the store has committed everything it acknowledged.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>

#include "absl/status/statusor.h"
#include "server/config.h"

namespace awoooi::server {

class App {
 public:
  static absl::StatusOr<std::unique_ptr<App>> Create(Config config, std::ostream& out);
  virtual ~App() = default;
  virtual absl::Status Listen() = 0;
  virtual uint16_t port() const = 0;
  virtual void Run() = 0;
  virtual void Shutdown() = 0;
};

// Reads the 32-byte vault key from `path` (64 hex digits), creating it (mode 0600) when missing.
absl::StatusOr<std::string> LoadOrCreateVaultKey(const std::string& path);

// The embedded demo topology (examples/demo-topology.yaml).
std::string_view DemoTopologyYaml();
std::string_view OpenApiJson();

}  // namespace awoooi::server
