// The `awoooi` command line (CLI11): serve, migrate, user, token, redact, topology, analyze, mcp,
// version. A face only: it parses arguments, calls the core and prints.
//
// The CLI does not depend on the server: what needs a running platform (`serve`, and later the
// in-process server of `tracer-bullet`) reaches it through `Faces`, which main.cc fills.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/config.h"
#include "runtime/running_server.h"

namespace awoooi::cli {

using runtime::RunningServer;

struct Faces {
  // Runs the platform on `config` until SIGTERM/SIGINT (or a fatal error); returns the exit code.
  std::function<int(runtime::Config config)> serve;
  // Starts the platform on `config` in the background.
  std::function<absl::StatusOr<std::unique_ptr<RunningServer>>(runtime::Config config)> start;
};

// Runs the command line; returns the process exit code (0 ok, 1 failure, 2 usage).
int Main(int argc, char** argv, const Faces& faces);

}  // namespace awoooi::cli
