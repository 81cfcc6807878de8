// The `notifiers:` list of awoooi.yaml as one PluginSettings per channel, for the registry's
// outputs factories (src/plugins/outputs/notifiers.h).
//
//   notifiers:
//     - name: ops-slack          # required, unique; [A-Za-z0-9_.-], up to 64 characters
//       type: slack              # required: slack | discord | email | webhook
//       webhook_url_env: SLACK_WEBHOOK_URL
//     - name: oncall-mail
//       type: email
//       to: [a@example.com, b@example.com]   # a list of scalars becomes "a@example.com,b@example.com"
//       ...
//     - name: hook
//       type: webhook
//       headers:                 # nested maps flatten to dotted keys: headers.X-Team
//         X-Team: sre
//
// Each entry's settings have the path "notifiers[i]" (so errors read "notifiers[2].smtp_url: ...")
// and hold every key of the entry, `name` and `type` included. The channel's own keys are checked
// by its factory; here only the shape, names and types' presence are.
//
// Thread-safety: pure functions (ReadNotifierSettings reads a file).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "awoooi/core/plugin.h"

namespace awoooi::plugins::outputs {

// The notifiers of the YAML file at `yaml_path` (none when the file has no `notifiers` key).
// NotFound when the file cannot be read; InvalidArgument, with the file, key and line, for bad YAML
// or a malformed list.
absl::StatusOr<std::vector<PluginSettings>> ReadNotifierSettings(const std::string& yaml_path);

// The same from YAML text; `source` names it in errors.
absl::StatusOr<std::vector<PluginSettings>> ParseNotifierSettings(std::string_view yaml_text,
                                                                  std::string_view source);

}  // namespace awoooi::plugins::outputs
