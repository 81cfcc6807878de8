// `awoooi tracer-bullet`: the whole loop against a live server, as PRODUCT.md "The loop" describes
// it, in five steps — trigger_alert, graphrag_analysis, generate_approval, multisig_approval,
// mcp_execution — each PASS or FAIL with the reason, then a summary; exit 0 only when all pass.
//
// Without --url it starts a server in this process on embedded defaults (a fresh data directory
// unless --data-dir names one) and stops it afterwards. With --url it talks to that server; it
// signs as the demo users, whose tokens it takes from the in-process server, or mints for them in
// the server's data directory (--data-dir, default the configured one) as `awoooi token create`
// would. The execution goes through whichever executor the server routes the action to: an MCP
// server when one is configured for it, else the simulated cluster.
#pragma once

#include <iosfwd>
#include <string>

#include "cli/cli.h"

namespace awoooi::cli {

struct TracerBulletOptions {
  std::string url;       // empty: start a server in this process
  std::string token;     // a token to read with (default: a demo user's)
  std::string data_dir;  // where the demo users' tokens are minted (--url), or the in-process server's data
  std::string config_file;
  int timeout_seconds = 60;  // per step
};

int RunTracerBullet(const TracerBulletOptions& options, const Faces& faces, std::ostream& out);

}  // namespace awoooi::cli
