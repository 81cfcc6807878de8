// The executable: the command line, with the server as its `serve` face.
#include <sys/stat.h>

#include "cli/cli.h"
#include "server/serve.h"

int main(int argc, char** argv) {
  // Everything AWOOOI creates (database, WAL, keys, exports) is private to its user.
  ::umask(077);
  awoooi::cli::Faces faces;
  faces.serve = awoooi::server::Serve;
  faces.start = awoooi::server::StartInProcess;
  return awoooi::cli::Main(argc, argv, faces);
}
