#include "plugins/outputs/email/email_message.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "awoooi/core/alert.h"
#include "awoooi/core/digest.h"
#include "plugins/outputs/common/severity.h"
#include "plugins/outputs/common/text.h"

namespace awoooi::plugins::outputs::email {
namespace {

constexpr std::string_view kCrlf = "\r\n";

bool IsPrintableAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// Every line break (CRLF, CR or LF) as CRLF: the canonical form of text/* parts (RFC 2046 4.1.1).
std::string Crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += kCrlf;
    } else if (c == '\n') {
      out += kCrlf;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Base64 in lines of 76 characters (RFC 2045 6.8).
std::string Base64Lines(std::string_view data) {
  std::string b64 = absl::Base64Escape(absl::string_view(data.data(), data.size()));
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 76) {
    out.append(b64, i, 76);
    out += kCrlf;
  }
  return out;
}

std::string RfcDate(absl::Time t) {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  absl::CivilSecond c = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int day = static_cast<int>(absl::GetWeekday(absl::CivilDay(c)));  // monday = 0
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[day], c.day(),
                kMonths[c.month() - 1], static_cast<int>(c.year()), c.hour(), c.minute(), c.second());
  return buf;
}

std::string FormatMailbox(const Mailbox& m) {
  if (m.display_name.empty()) return m.address;
  std::string name = OneLine(m.display_name);
  if (IsPrintableAscii(name) && name.find("=?") == std::string::npos) {
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    name = quoted + "\"";
  } else {
    name = EncodeHeaderText(name);
  }
  return name + " <" + m.address + ">";
}

bool AddressCharOk(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return false;
  return std::string_view("()<>[]:;@\\,\"").find(static_cast<char>(c)) == std::string_view::npos;
}

// Multi-line text for HTML: escaped, line breaks as <br>.
std::string HtmlLines(std::string_view text) {
  std::string escaped = HtmlEscape(FitText(text, SIZE_MAX));
  std::string out;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    char c = escaped[i];
    if (c == '\r') {
      if (i + 1 < escaped.size() && escaped[i + 1] == '\n') ++i;
      out += "<br>\r\n";
    } else if (c == '\n') {
      out += "<br>\r\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string HexColor(uint32_t rgb) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%06X", rgb & 0xFFFFFF);
  return buf;
}

}  // namespace

absl::StatusOr<Mailbox> ParseMailbox(std::string_view text) {
  absl::string_view stripped = absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  std::string_view s(stripped.data(), stripped.size());
  Mailbox m;
  std::string_view addr = s;
  auto lt = s.find('<');
  if (lt != std::string_view::npos) {
    if (s.back() != '>' || s.find('>') != s.size() - 1) {
      return absl::InvalidArgumentError("\"" + std::string(s) + "\" is not Name <address>");
    }
    absl::string_view name_view = absl::StripAsciiWhitespace(absl::string_view(s.data(), lt));
    std::string_view name(name_view.data(), name_view.size());
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    for (unsigned char c : name) {
      if (c < 0x20 || c == 0x7F)
        return absl::InvalidArgumentError("a display name cannot hold control characters");
    }
    m.display_name = std::string(name);
    addr = s.substr(lt + 1, s.size() - lt - 2);
  }
  auto at = addr.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == addr.size() ||
      addr.find('@', at + 1) != addr.npos) {
    return absl::InvalidArgumentError("\"" + std::string(addr) +
                                      "\" is not an e-mail address (local@domain)");
  }
  std::string_view local = addr.substr(0, at), domain = addr.substr(at + 1);
  if (local.size() > 64 || domain.size() > 253) {
    return absl::InvalidArgumentError("\"" + std::string(addr) + "\" is too long for an e-mail address");
  }
  for (unsigned char c : local) {
    if (!AddressCharOk(c)) {
      return absl::InvalidArgumentError(
          "\"" + std::string(addr) +
          "\": the local part may hold only printable ASCII without ()<>[]:;@\\,\"");
    }
  }
  for (unsigned char c : domain) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '-') {
      return absl::InvalidArgumentError("\"" + std::string(addr) +
                                        "\": the domain may hold only A-Z, 0-9, '.' and '-'");
    }
  }
  m.address = std::string(addr);
  return m;
}

std::string MessageIdFor(std::string_view idempotency_key, std::string_view sender_address) {
  std::string domain = "awoooi.invalid";
  auto at = sender_address.rfind('@');
  if (at != std::string_view::npos && at + 1 < sender_address.size())
    domain = std::string(sender_address.substr(at + 1));
  std::string id =
      idempotency_key.empty() ? ToHex(RandomBytes(16)) : Sha256Hex(idempotency_key).substr(0, 40);
  return "<" + id + ".awoooi@" + domain + ">";
}

std::string EncodeHeaderText(std::string_view text) {
  std::string line = OneLine(text);
  if (IsPrintableAscii(line) && line.find("=?") == std::string::npos) return line;
  // Encoded words of at most 45 bytes of UTF-8 each (60 base64 characters, 72 with the wrapper),
  // cut between characters (RFC 2047 5: a word must hold whole characters).
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    std::size_t end = std::min(line.size(), i + 45);
    while (end < line.size() && end > i && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) --end;
    if (end == i) end = std::min(line.size(), i + 45);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + absl::Base64Escape(absl::string_view(line.data() + i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string ComposeEmail(const notify::Notification& n, const Mailbox& from, const std::vector<Mailbox>& to,
                         absl::Time now) {
  const std::string severity = SeverityWord(n.severity);
  std::string title = FitText(OneLine(n.title.view()), 200);
  if (title.empty()) title = "AWOOOI notification";
  const std::string text = FitText(n.text.view(), SIZE_MAX);
  const absl::Time when = n.at == absl::InfinitePast() ? now : n.at;
  const std::string event = OneLine(n.event);
  const bool linked = IsSafeLink(n.link);
  const std::string boundary =
      "awoooi-alt-" +
      Sha256Hex(n.idempotency_key + "|" + std::to_string(absl::ToUnixNanos(now))).substr(0, 24);
  const std::string footer =
      "AWOOOI \xC2\xB7 " + severity + " \xC2\xB7 " + event + " \xC2\xB7 " + FormatRfc3339(when);

  std::string plain = title + "\n\n";
  if (!text.empty()) plain += text + "\n\n";
  for (const auto& [label, value] : n.fields) {
    plain += OneLine(label) + ": " + FitText(value.view(), SIZE_MAX) + "\n";
  }
  if (!n.fields.empty()) plain += "\n";
  if (linked) plain += "Open in AWOOOI: " + n.link + "\n\n";
  plain += "-- \n" + footer + "\n";

  const std::string color = HexColor(SeverityColor(n.severity));
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + HtmlEscape(title) +
      "</title></head>\n<body style=\"font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"
      "color:#1f2328\">\n<div style=\"border-left:6px solid " +
      color +
      ";padding:4px 16px\">\n"
      "<p style=\"margin:0;color:" +
      color + ";font-weight:bold\">" + severity +
      "</p>\n"
      "<h2 style=\"margin:4px 0 12px\">" +
      HtmlEscape(title) + "</h2>\n";
  if (!text.empty()) html += "<p>" + HtmlLines(text) + "</p>\n";
  if (!n.fields.empty()) {
    html += "<table style=\"border-collapse:collapse\">\n";
    for (const auto& [label, value] : n.fields) {
      html += "<tr><th style=\"text-align:left;vertical-align:top;padding:4px 12px 4px 0\">" +
              HtmlEscape(FitText(OneLine(label), SIZE_MAX)) + "</th><td style=\"padding:4px 0\">" +
              HtmlLines(value.view()) + "</td></tr>\n";
    }
    html += "</table>\n";
  }
  if (linked) {
    html += "<p style=\"margin:16px 0\"><a href=\"" + HtmlEscape(n.link) +
            "\" style=\"background:#1f6feb;color:#ffffff;padding:8px 14px;border-radius:6px;"
            "text-decoration:none\">Open in AWOOOI</a></p>\n";
  }
  html +=
      "<p style=\"color:#656d76;font-size:12px\">" + HtmlEscape(footer) + "</p>\n</div>\n</body></html>\n";

  std::string to_header;
  for (const Mailbox& m : to) to_header += (to_header.empty() ? "" : ",\r\n ") + FormatMailbox(m);
  std::string key = FitText(OneLine(n.idempotency_key), 200);
  if (!IsPrintableAscii(key)) key = Sha256Hex(n.idempotency_key);

  std::string m;
  m += "From: " + FormatMailbox(from) + "\r\n";
  m += "To: " + to_header + "\r\n";
  m += "Subject: " + EncodeHeaderText("[AWOOOI] " + severity + ": " + title) + "\r\n";
  m += "Date: " + RfcDate(when) + "\r\n";
  m += "Message-ID: " + MessageIdFor(n.idempotency_key, from.address) + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "X-AWOOOI-Event: " + EncodeHeaderText(event) + "\r\n";
  m += "X-AWOOOI-Severity: " + absl::AsciiStrToLower(severity) + "\r\n";
  m += "X-AWOOOI-Idempotency-Key: " + key + "\r\n";
  m += "\r\n";
  m += "This is a MIME message with a plain-text and an HTML part.\r\n\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += Base64Lines(Crlf(plain));
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += Base64Lines(Crlf(html));
  m += "--" + boundary + "--\r\n";
  return m;
}

}  // namespace awoooi::plugins::outputs::email
