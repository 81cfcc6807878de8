// The `awoooi` command line (CLI11): serve, migrate, user, token, redact, topology, analyze, mcp,
// version. A face only: it parses arguments, calls the core and prints.
#pragma once

namespace awoooi::cli {

// Runs the command line; returns the process exit code (0 ok, 1 failure, 2 usage).
int Main(int argc, char** argv);

}  // namespace awoooi::cli
