// The command executor (`type: command`): runs `run_template` actions as configured command
// templates (action::CommandTemplate; ARCHITECTURE "The shell executor never invokes a shell").
//
// A template is an argv array fixed in configuration; an element that is exactly "{{slot}}" is
// filled with the action's real value for that slot (after action::Rehydrate), as exactly one argv
// element. Nothing is ever parsed by a shell: the program is started with posix_spawn, argv[0] is the
// template's own first element (never a slot) resolved on the configured PATH or given as an absolute
// path, stdin is /dev/null, the environment holds PATH and the configured `env.NAME` variables only,
// signal dispositions and the signal mask are reset, and descriptors other than 0-2 are closed. The
// child runs in a new process group which is killed with SIGKILL on timeout, on cancel, and when the
// program exits (anything it left running in its group goes with it).
//
// DryRun checks: "parameters" (every real slot value re-checked against its slot's type and range),
// "program" (argv[0] resolves to an executable regular file), "argv" (the whole argv as it would run,
// with labels in place of real values; a value that is empty or would start with '-' is refused),
// "blast_radius" (one process, its time limit, the template's description). The state fingerprint
// is SHA-256 over the template name, the resolved program (path, canonical path, device, inode,
// size, mtime) and the argv with labels, so a changed binary or template voids an approval.
//
// Execute: stdout and stderr share one pipe, read while the program runs; the first
// `max_output_bytes` are kept, the rest is read and discarded ("[truncated: N more bytes
// discarded]"). Exit code 0 is kSucceeded, anything else kFailed with the code, a signal or
// "killed after <timeout>". The output is redacted in the incident's vault and withheld when it
// still holds one of the action's real values.
//
// Settings: name (default "command"), timeout (default 60s; the context's deadline also applies),
// max_output_bytes (default 65536), working_dir (default: a fresh private directory per run under
// $TMPDIR or /tmp, removed afterwards), path (the child's PATH and where a bare program name is
// looked up; default "/usr/local/bin:/usr/bin:/bin"), env.NAME (extra environment variables).
//
// Thread-safety: the executor is immutable after creation; DryRun and Execute may run on any number
// of threads at once (each run has its own pipe, process group and working directory).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "awoooi/action/action.h"
#include "awoooi/action/executor.h"
#include "awoooi/core/plugin.h"

namespace awoooi::plugins::actions {

// The registry's factory. `catalog` holds the configured command templates (the approval catalog);
// it is copied, so it need only live for the call. Null means no templates: Supports() is then false
// for every action.
absl::StatusOr<std::unique_ptr<action::Executor>> MakeCommandExecutor(const PluginSettings& settings,
                                                                      const action::Catalog* catalog);

}  // namespace awoooi::plugins::actions
