// App: the running platform behind `awoooi serve` — the store, the shield, the topology, the
// analysis pipeline and the HTTP API wired together from one Config.
//
// Lifecycle: Create() (opens everything, fails with a message naming the problem) -> Listen()
// -> Run() (blocks) ; Shutdown() from a signal handler thread or a test makes Run() return after
// in-flight requests finish and the store has committed everything it acknowledged.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/config.h"

namespace awoooi::server {

using runtime::Config;

class App {
 public:
  static absl::StatusOr<std::unique_ptr<App>> Create(Config config, std::ostream& out);
  virtual ~App() = default;
  virtual absl::Status Listen() = 0;
  virtual uint16_t port() const = 0;
  virtual void Run() = 0;
  virtual void Shutdown() = 0;
  // The demo users' tokens issued at this start (user -> token), empty without demo users.
  virtual const std::map<std::string, std::string>& demo_tokens() const = 0;
};

}  // namespace awoooi::server
