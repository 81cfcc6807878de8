// libFuzzer target: what an MCP server sends us. The stdio line framer and the SSE parser take the
// same bytes cut at every split the input chooses, and must give the same messages whatever the
// cuts; the inputSchema checker takes a schema and arguments from the input. Nothing may crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "plugins/actions/mcp/framing.h"
#include "plugins/actions/mcp/input_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Framing: the whole input at once, then in pieces of a size the first byte picks.
  std::size_t piece = size > 0 ? 1 + data[0] % 17 : 1;
  awoooi::mcp::LineFramer whole(1 << 16), cut(1 << 16);
  std::vector<std::string> a, b;
  absl::Status sa = whole.Feed(in, &a);
  absl::Status sb;
  for (std::size_t i = 0; i < in.size() && sb.ok(); i += piece) sb = cut.Feed(in.substr(i, piece), &b);
  if (sa.ok() != sb.ok()) std::abort();
  if (sa.ok() && a != b) std::abort();

  awoooi::mcp::SseParser sse_whole(1 << 16), sse_cut(1 << 16);
  std::vector<awoooi::mcp::SseEvent> ea, eb;
  absl::Status ta = sse_whole.Feed(in, &ea);
  absl::Status tb;
  for (std::size_t i = 0; i < in.size() && tb.ok(); i += piece) tb = sse_cut.Feed(in.substr(i, piece), &eb);
  if (ta.ok() && tb.ok()) {
    if (ea.size() != eb.size()) std::abort();
    for (std::size_t i = 0; i < ea.size(); ++i) {
      if (ea[i].data != eb[i].data || ea[i].event != eb[i].event) std::abort();
    }
  }

  // A tool's inputSchema and the arguments, split at the first NUL.
  std::size_t split = in.find('\0');
  if (split != std::string_view::npos) {
    auto schema = nlohmann::json::parse(in.substr(0, split), nullptr, false);
    auto args = nlohmann::json::parse(in.substr(split + 1), nullptr, false);
    if (!schema.is_discarded() && !args.is_discarded()) (void)awoooi::mcp::ValidateArguments(schema, args);
  }
  return 0;
}
