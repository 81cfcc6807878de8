// Text shaping shared by the notifiers: every channel has length limits counted in characters and
// its own escaping, and every piece of a notification may hold any Unicode (zh-TW included).
//
// Lengths are counted in UTF-16 code units: that is what the chat services' JavaScript-based limits
// count, and it is never less than the number of code points, so text that fits here fits there
// whichever they count. Text is cut only between characters (never inside a UTF-8 sequence or an
// escape), and a cut text ends with "…". Invalid UTF-8 becomes U+FFFD, so JSON encoding can never
// fail on it.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace awoooi::plugins::outputs {

// Appends the escaped form of one code point (`utf8` is its UTF-8 encoding) to `out`.
using Escaper = std::function<void(char32_t code_point, std::string_view utf8, std::string* out)>;

// `text` as valid UTF-8, escaped by `escape` (none: as is), cut to at most `max_units` UTF-16 code
// units including the "…" that marks a cut. max_units == 0 gives "".
std::string FitText(std::string_view text, std::size_t max_units, const Escaper& escape = nullptr);

// UTF-16 code units of `text` (invalid bytes count as one unit each).
std::size_t Utf16Units(std::string_view text);

// One line: CR, LF, tabs and every other control character become a space; runs of spaces
// collapse; leading and trailing spaces go. For headers, titles and subjects.
std::string OneLine(std::string_view text);

// &, <, >, " and ' as HTML entities (for text and attribute values).
std::string HtmlEscape(std::string_view text);

// True for an absolute http:// or https:// URL without whitespace, control characters, quotes or
// angle brackets: the only links a notification renders as a link or button.
bool IsSafeLink(std::string_view url);

}  // namespace awoooi::plugins::outputs
