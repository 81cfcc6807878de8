#include "awoooi/core/json_read.h"

#include <simdjson.h>

#include <string>

namespace awoooi {
namespace {

constexpr std::size_t kKeepCapacity = 1 << 20;

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

}  // namespace

bool ReadStringObject(std::string_view json, LabelSet* out) {
  auto& parser = ThreadParser();
  simdjson::dom::object obj;
  bool ok = parser.parse(json.data(), json.size()).get_object().get(obj) == simdjson::SUCCESS;
  if (ok) {
    for (auto [key, value] : obj) {
      std::string_view text;
      if (value.get_string().get(text) == simdjson::SUCCESS) (*out)[std::string(key)] = std::string(text);
    }
  }
  // A parser that grew for one large document gives its memory back.
  if (parser.capacity() > kKeepCapacity) parser = simdjson::dom::parser();
  return ok;
}

}  // namespace awoooi
