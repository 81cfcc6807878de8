#include "cli/topology_command.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "awoooi/topology/command.h"
#include "awoooi/topology/spec.h"

namespace awoooi::cli {

int RunTopology(const TopologyOptions& options, std::ostream& out, std::ostream& err) {
  if (options.topology_file.empty()) {
    err << "missing topology file (--topology FILE, or FILE for check)\n";
    return 1;
  }
  std::ifstream in(options.topology_file, std::ios::binary);
  if (!in) {
    err << "cannot read " << options.topology_file << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  // Read in chunks up to one byte past the limit, so an oversized file is reported, not cut.
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= topology::kMaxTopologyFileBytes && in.read(chunk, sizeof chunk).gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    err << "cannot read " << options.topology_file << "\n";
    return 1;
  }
  if (text.size() > topology::kMaxTopologyFileBytes) {
    err << options.topology_file << ": larger than " << (topology::kMaxTopologyFileBytes >> 20)
        << " MiB; not a topology file\n";
    return 1;
  }
  topology::TopologyCommand command;
  command.action = options.action;
  command.service = options.service;
  command.source_name = options.topology_file;
  command.unhealthy = options.unhealthy;
  command.depth = options.depth;
  command.json = options.json;
  return topology::RunTopologyCommand(command, text, out, err);
}

}  // namespace awoooi::cli
