// A platform running inside this process (the tracer bullet's own server), as the faces see it.
// Destroying it shuts the platform down cleanly (in-flight requests finish, the store commits).
#pragma once

#include <map>
#include <string>

namespace awoooi::runtime {

class RunningServer {
 public:
  virtual ~RunningServer() = default;
  virtual std::string url() const = 0;                                        // "http://127.0.0.1:PORT"
  virtual const std::map<std::string, std::string>& demo_tokens() const = 0;  // user -> token
};

}  // namespace awoooi::runtime
