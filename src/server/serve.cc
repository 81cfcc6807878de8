#include "server/serve.h"

#include <pthread.h>

#include <csignal>
#include <iostream>
#include <sstream>
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
  std::cout << "AWOOOI " << AWOOOI_VERSION << " listening on http://" << host << ":" << (*app)->port()
            << std::endl;
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

namespace {

class InProcess final : public runtime::RunningServer {
 public:
  explicit InProcess(std::unique_ptr<App> app) : app_(std::move(app)) {
    thread_ = std::thread([this] { app_->Run(); });
  }
  ~InProcess() override {
    app_->Shutdown();
    thread_.join();
  }
  std::string url() const override { return "http://127.0.0.1:" + std::to_string(app_->port()); }
  const std::map<std::string, std::string>& demo_tokens() const override { return app_->demo_tokens(); }

 private:
  std::unique_ptr<App> app_;
  std::thread thread_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<runtime::RunningServer>> StartInProcess(runtime::Config config) {
  std::ostringstream out;  // the demo tokens: returned, not printed
  auto app = App::Create(std::move(config), out);
  if (!app.ok()) return app.status();
  if (auto s = (*app)->Listen(); !s.ok()) return s;
  return std::unique_ptr<runtime::RunningServer>(std::make_unique<InProcess>(std::move(*app)));
}

}  // namespace awoooi::server
