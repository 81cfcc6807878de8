// SmtpSend: hands one finished e-mail message to an SMTP server (libcurl's SMTP client). curl stays
// inside src/net/.
//
// One call is one SMTP session: connect (smtp:// then STARTTLS as configured, or smtps:// with TLS
// from the first byte), EHLO, AUTH when a user name is given, MAIL FROM, one RCPT TO per recipient,
// DATA with the message, QUIT. The message is sent as given (CRLF line endings expected; curl
// dot-stuffs lines that start with '.'). The whole session has a deadline, a connect timeout and
// cancellation, like HttpCall.
//
// Thread-safety: SmtpSend may be called from many threads at once; every call owns its curl handle.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "awoooi/net/http_client.h"

namespace awoooi::net {

enum class StartTls {
  kRequired,  // smtp://: upgrade with STARTTLS or fail (FailedPrecondition) before any credential is sent
  kOptional,  // smtp://: upgrade when the server offers STARTTLS, else continue in clear text
  kOff,       // smtp://: never upgrade (a local relay)
};

struct SmtpRequest {
  std::string url;  // smtp://host[:port] or smtps://host[:port]; a path names the EHLO domain
  StartTls starttls = StartTls::kRequired;  // ignored for smtps:// (TLS throughout)
  std::string username;                     // empty: no AUTH
  std::string password;                     // a secret: never logged
  std::string mail_from;                    // bare address for MAIL FROM
  std::vector<std::string> recipients;      // bare addresses, one RCPT TO each
  std::string message;                      // the RFC 5322 message (headers, blank line, body)
  int64_t timeout_ms = 30'000;              // the whole session
  int64_t connect_timeout_ms = 10'000;
  const std::atomic<bool>* cancel = nullptr;
  TlsOptions tls;  // ca_file / ca_pem verify the server; verify_peer = false only when configured
};

struct SmtpResult {
  // Ok: the server accepted the message for every recipient (2xx after DATA). Otherwise:
  //   DeadlineExceeded  the session did not finish within timeout_ms
  //   Cancelled         request.cancel became true
  //   FailedPrecondition  STARTTLS required but not offered, or the server refused permanently (5xx)
  //   PermissionDenied  authentication failed
  //   Unavailable       DNS, connect, TLS, reset, or the server refused temporarily (4xx)
  //   InvalidArgument   a malformed URL or request
  // Messages name the step and the reply code, never the password or the message.
  absl::Status status;
  int reply_code = 0;  // the last SMTP reply code the server sent (0: none)
};

SmtpResult SmtpSend(const SmtpRequest& request);

}  // namespace awoooi::net
