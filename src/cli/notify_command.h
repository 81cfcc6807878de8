// `awoooi notify test CHANNEL [--config FILE]`: builds the notifier named CHANNEL from the
// `notifiers:` list of the config file (docs/notifications.md), sends it one test message (severity
// info, event "notify.test", in English and Traditional Chinese, a fresh idempotency key per run)
// and prints what happened:
//   ops-slack (slack): delivered (HTTP 200 ok)                                     exit 0
//   ops-slack (slack): rejected: HTTP 404 no_service                               exit 1
//   ops-slack (slack): not delivered, a retry could succeed: HTTP 429 (rate limited); the receiver
//     asked to wait 7 s                                                            exit 1
// A config that cannot be read, an unknown channel or an invalid notifier entry is reported on `err`
// (exit 1). Nothing is retried here: the answer is the channel's first one.
//
// Thread-safety: a plain function; the streams belong to the caller.
#pragma once

#include <iosfwd>
#include <string>

#include "awoooi/core/plugin.h"
#include "awoooi/notify/notifier.h"

namespace awoooi::cli {

struct NotifyTestOptions {
  std::string channel;      // the notifier's `name`
  std::string config_file;  // the YAML file with `notifiers:`
};

// `outputs` builds notifiers by type (the registry's OUTPUT factories).
int RunNotifyTest(const NotifyTestOptions& options, const Registry<notify::Notifier>& outputs,
                  std::ostream& out, std::ostream& err);

}  // namespace awoooi::cli
