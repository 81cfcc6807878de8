#include "server/serve.h"

#include <pthread.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "awoooi/version.h"
#include "server/app.h"
#include "server/logging.h"

namespace awoooi::server {

int Serve(runtime::Config config) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  InitLogging(config.log.level, config.log.format, nullptr);
  std::string host = config.server.listen.substr(0, config.server.listen.rfind(':'));
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  auto app = App::Create(std::move(config), std::cout);
  if (!app.ok()) {
    std::cerr << "awoooi: " << app.status().message() << "\n";
    return 1;
  }
  if (auto s = (*app)->Listen(); !s.ok()) {
    std::cerr << "awoooi: " << s.message() << "\n";
    return 1;
  }
  std::cout << "AWOOOI " << AWOOOI_VERSION << " listening on http://" << host << ":" << (*app)->port() << std::endl;
  std::thread signals([&app, set] {
    int sig = 0;
    sigwait(&set, &sig);
    (*app)->Shutdown();
  });
  (*app)->Run();
  // Run() returned: wake the signal thread if shutdown came from elsewhere.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  return 0;
}

}  // namespace awoooi::server
