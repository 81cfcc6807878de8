// The executable: the command line, with the server as its `serve` face.
#include "cli/cli.h"
#include "server/serve.h"

int main(int argc, char** argv) {
  awoooi::cli::Faces faces;
  faces.serve = awoooi::server::Serve;
  faces.start = awoooi::server::StartInProcess;
  return awoooi::cli::Main(argc, argv, faces);
}
