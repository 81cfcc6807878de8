// Checks a tool's arguments against its inputSchema before the call: the subset of JSON Schema
// that MCP tool schemas use (docs/adr/0004-mcp-input-schema-subset.md). No JSON Schema library
// is packaged in Debian, and a full one is far more than tool arguments need.
//
// Supported: boolean schemas; type (one name or a list; "integer" accepts 3.0); properties,
// required, additionalProperties (false or a schema); enum, const; minimum, maximum,
// exclusiveMinimum, exclusiveMaximum (numbers, draft 6+); minLength, maxLength (in code points);
// items (one schema, or a list for tuples), minItems, maxItems; allOf, anyOf, oneOf, not; local
// $ref ("#/$defs/Name", "#/definitions/Name", any JSON pointer into the root schema). `pattern`
// is NOT checked: the pattern comes from the server and std::regex backtracks (exponential time
// on patterns like (a+)+$, recursion deep enough to overflow the stack on long strings), so a
// server could hang or crash a dry-run with it; the server's own validation still runs. Every
// other keyword (format, default, description, title, examples, ...) is ignored. A schema nested
// or referenced more than 32 levels deep, or needing more than 10,000 subschema checks, is
// refused rather than followed.
//
// Errors are InvalidArgument naming the argument's path and the rule, e.g.
// "arguments.replicas: must be at most 10" — never the value (it may be a real value).
//
// Thread-safety: a pure function.
#pragma once

#include <nlohmann/json.hpp>

#include "absl/status/status.h"

namespace awoooi::mcp {

absl::Status ValidateArguments(const nlohmann::json& schema, const nlohmann::json& arguments);

}  // namespace awoooi::mcp
