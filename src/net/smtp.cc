#include "awoooi/net/smtp.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "net/curl_global.h"

namespace awoooi::net {
namespace {

struct Upload {
  const SmtpRequest* request = nullptr;
  std::size_t offset = 0;
};

size_t OnRead(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  const std::string& message = up->request->message;
  size_t room = size * n;
  size_t left = message.size() - up->offset;
  size_t chunk = std::min(room, left);
  std::memcpy(buffer, message.data() + up->offset, chunk);
  up->offset += chunk;
  return chunk;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* up = static_cast<Upload*>(user);
  const std::atomic<bool>* cancel = up->request->cancel;
  return (cancel != nullptr && cancel->load()) ? 1 : 0;
}

void ApplyTls(CURL* curl, const TlsOptions& tls) {
  if (!tls.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
  } else if (!tls.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  }
  if (!tls.client_cert_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
  if (!tls.client_key_file.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.client_key_file.c_str());
  if (!tls.verify_peer) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

SmtpResult Result(absl::Status status, int reply_code) { return SmtpResult{std::move(status), reply_code}; }

std::string WithCode(const std::string& what, int reply_code) {
  return reply_code > 0 ? what + " (SMTP " + std::to_string(reply_code) + ")" : what;
}

}  // namespace

SmtpResult SmtpSend(const SmtpRequest& request) {
  if (request.url.rfind("smtp://", 0) != 0 && request.url.rfind("smtps://", 0) != 0) {
    return Result(absl::InvalidArgumentError("the SMTP URL must start with smtp:// or smtps://"), 0);
  }
  if (request.mail_from.empty() || request.recipients.empty()) {
    return Result(absl::InvalidArgumentError("an e-mail needs a sender and at least one recipient"), 0);
  }
  EnsureCurlGlobalInit();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Result(absl::ResourceExhaustedError("cannot create an SMTP client handle"), 0);
  Upload upload{&request, 0};

  curl_slist* rcpt = nullptr;
  for (const std::string& r : request.recipients) rcpt = curl_slist_append(rcpt, ("<" + r + ">").c_str());
  const std::string from = "<" + request.mail_from + ">";

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (request.url.rfind("smtp://", 0) == 0) {
    long use_ssl = request.starttls == StartTls::kRequired   ? CURLUSESSL_ALL
                   : request.starttls == StartTls::kOptional ? CURLUSESSL_TRY
                                                             : CURLUSESSL_NONE;
    curl_easy_setopt(curl, CURLOPT_USE_SSL, use_ssl);
  }
  if (!request.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.password.c_str());
  }
  ApplyTls(curl, request.tls);
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnRead);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.message.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, request.timeout_ms)));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1, request.connect_timeout_ms)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &upload);

  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  const int reply = static_cast<int>(code);

  if (rc == CURLE_OK) return Result(absl::OkStatus(), reply);
  const std::string why = curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Result(
          absl::DeadlineExceededError(WithCode(
              "the SMTP session did not finish within " + std::to_string(request.timeout_ms) + " ms", reply)),
          reply);
    case CURLE_ABORTED_BY_CALLBACK:
      return Result(absl::CancelledError("SMTP session cancelled"), reply);
    case CURLE_USE_SSL_FAILED:
      return Result(absl::FailedPreconditionError(
                        WithCode("the server does not offer STARTTLS, which is required", reply)),
                    reply);
    case CURLE_LOGIN_DENIED:
      return Result(absl::PermissionDeniedError(WithCode("SMTP authentication failed", reply)), reply);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Result(absl::InvalidArgumentError(why), reply);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return Result(absl::UnavailableError(why + " (" + UrlOrigin(request.url) + ")"), reply);
    default:
      break;
  }
  // The server answered a command with a refusal (MAIL, RCPT, DATA or the end of data): its reply
  // code says whether trying again later can help (RFC 5321 4.2.1: 4yz transient, 5yz permanent).
  if (reply >= 500 && reply < 600) {
    return Result(absl::FailedPreconditionError(WithCode("the SMTP server refused the message", reply)),
                  reply);
  }
  if (reply >= 400 && reply < 500) {
    return Result(absl::UnavailableError(WithCode("the SMTP server deferred the message", reply)), reply);
  }
  return Result(absl::UnavailableError(WithCode(why, reply)), reply);
}

}  // namespace awoooi::net
