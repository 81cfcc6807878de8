#include "cli/cli.h"

int main(int argc, char** argv) { return awoooi::cli::Main(argc, argv); }
