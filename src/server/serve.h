// `awoooi serve`: the platform in the foreground until SIGTERM/SIGINT. Signals are taken by one
// thread with sigwait, so no handler runs inside the I/O threads; the shutdown drains in-flight
// requests and commits everything acknowledged before returning.
#pragma once

#include "runtime/config.h"
#include "runtime/running_server.h"

namespace awoooi::server {

// Prints the URL (and demo tokens) to stdout; returns the process exit code.
int Serve(runtime::Config config);

// The platform on its own threads, for `awoooi tracer-bullet` without --url.
absl::StatusOr<std::unique_ptr<runtime::RunningServer>> StartInProcess(runtime::Config config);

}  // namespace awoooi::server
