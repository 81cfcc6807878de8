// `awoooi mcp`: for people debugging an MCP server, through the same client and executor the
// platform uses.
//
//   awoooi mcp tools (--command CMD [ARG...] | --url URL) [--json]
//   awoooi mcp call  (--command CMD [ARG...] | --url URL) --tool NAME --args JSON [--json]
//   awoooi mcp bench (--command CMD [ARG...] | --url URL) [--tool echo] [--args JSON] [--count 1000]
// common: [--timeout 30s] [--env NAME=VALUE]... (stdio) [--header 'Name: value']... (HTTP)
//
// `--command` takes the words after it up to the next option of this command (--url, --tool,
// --args, --json, --timeout, --env, --header, --count, --warmup, --help).
//
// `call` goes the executor's way: the arguments pass the Privacy Shield into a vault of this run
// (real values become labels), the action is built and dry-run (tool listed, arguments valid for
// its inputSchema), then executed — rehydrated at the call — and what is printed is the redacted
// result: the tool's text (or the whole CallToolResult with --json). So a real value reaches the
// server and comes back as its label. Exit code 0 when the tool succeeded; 1 when it reported an
// error (isError), a check failed or the server could not be reached (with the reason and the
// tail of the server's stderr, redacted, on stderr); 2 for a usage error; 130 when interrupted
// (the server is told notifications/cancelled).
//
// `tools` prints one line per tool (name, parameters, description) or the redacted tools/list
// JSON with --json. `bench` measures round trips: tools/call through the client, and the whole
// executor call (rehydrate, schema check, call, redact), printing p50/p99 in milliseconds.
//
// Thread-safety: a plain function; the streams belong to the caller.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace awoooi::cli {

// `args` are the words after `mcp`. Returns the exit code.
int RunMcp(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace awoooi::cli
