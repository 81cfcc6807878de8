#include "awoooi/net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "net/curl_global.h"

namespace awoooi::net {
namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;

struct Exchange {
  const HttpRequest* request = nullptr;
  const BodyChunkFn* on_chunk = nullptr;
  const HeadersFn* on_headers = nullptr;
  HttpResponse response;
  bool status_known = false;
  bool headers_reported = false;
  bool stopped_by_callback = false;
  bool too_large = false;
  CURL* curl = nullptr;
};

void LearnStatus(Exchange* ex) {
  if (ex->status_known) return;
  long code = 0;
  curl_easy_getinfo(ex->curl, CURLINFO_RESPONSE_CODE, &code);
  ex->response.status = static_cast<int>(code);
  ex->status_known = true;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after a 100-continue or a redirect): forget the previous headers.
    ex->response.headers.clear();
    ex->status_known = false;
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  ex->response.headers[name] = std::string(value);
  return size * n;
}

// Tells on_headers about the final answer once (curl has every header of it before any body byte).
bool ReportHeaders(Exchange* ex) {
  if (ex->headers_reported || ex->on_headers == nullptr || !*ex->on_headers) return true;
  ex->headers_reported = true;
  LearnStatus(ex);
  if (!(*ex->on_headers)(ex->response.status, ex->response.headers)) {
    ex->stopped_by_callback = true;
    return false;
  }
  return true;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t bytes = size * n;
  LearnStatus(ex);
  if (!ReportHeaders(ex)) return 0;  // makes curl fail with CURLE_WRITE_ERROR
  const bool streamed = ex->on_chunk != nullptr && *ex->on_chunk;
  if (!streamed) {
    if (static_cast<int64_t>(ex->response.body.size() + bytes) > ex->request->max_body_bytes) {
      ex->too_large = true;
      return 0;
    }
    ex->response.body.append(data, bytes);
  } else if (ex->response.status >= 200 && ex->response.status < 300) {
    if (!(*ex->on_chunk)(std::string_view(data, bytes))) {
      ex->stopped_by_callback = true;
      return 0;  // makes curl fail with CURLE_WRITE_ERROR
    }
  } else if (ex->response.body.size() < kMaxErrorBody) {
    ex->response.body.append(data, std::min(bytes, kMaxErrorBody - ex->response.body.size()));
  }
  return bytes;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* ex = static_cast<Exchange*>(user);
  const std::atomic<bool>* cancel = ex->request->cancel;
  return (cancel != nullptr && cancel->load()) ? 1 : 0;
}

void SetBlob(CURL* curl, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(curl, option, &blob);
}

void ApplyTls(CURL* curl, const TlsOptions& tls) {
  if (!tls.ca_pem.empty())
    SetBlob(curl, CURLOPT_CAINFO_BLOB, tls.ca_pem);
  else if (!tls.ca_file.empty())
    curl_easy_setopt(curl, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.client_cert_pem.empty()) {
    SetBlob(curl, CURLOPT_SSLCERT_BLOB, tls.client_cert_pem);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
  } else if (!tls.client_cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
  }
  if (!tls.client_key_pem.empty()) {
    SetBlob(curl, CURLOPT_SSLKEY_BLOB, tls.client_key_pem);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  } else if (!tls.client_key_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLKEY, tls.client_key_file.c_str());
  }
  if (!tls.verify_peer) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

}  // namespace

absl::StatusOr<HttpResponse> HttpCall(const HttpRequest& request, const BodyChunkFn& on_chunk) {
  return HttpCall(request, HeadersFn(), on_chunk);
}

absl::StatusOr<HttpResponse> HttpCall(const HttpRequest& request, const HeadersFn& on_headers,
                                      const BodyChunkFn& on_chunk) {
  const std::string& m = request.method;
  if (m != "GET" && m != "POST" && m != "PUT" && m != "PATCH" && m != "DELETE") {
    return absl::InvalidArgumentError("unsupported HTTP method " + m.substr(0, 16));
  }
  EnsureCurlGlobalInit();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::ResourceExhaustedError("cannot create an HTTP client handle");
  Exchange ex;
  ex.request = &request;
  ex.on_chunk = &on_chunk;
  ex.on_headers = &on_headers;
  ex.curl = curl;

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  // Stream as it comes: no "Expect: 100-continue" round trip for large prompts.
  headers = curl_slist_append(headers, "Expect:");

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  if (m == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (m != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());
  }
  ApplyTls(curl, request.tls);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &ex);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // an API key must not follow a redirect
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the server offers it

  CURLcode rc = curl_easy_perform(curl);
  LearnStatus(&ex);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  // An answer without a body (202, 204) reports its headers here.
  if (rc == CURLE_OK && !ReportHeaders(&ex)) return absl::AbortedError("stopped reading the answer");
  if (rc == CURLE_OK) return std::move(ex.response);
  std::string why = curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError("no complete answer within " + std::to_string(request.timeout_ms) +
                                         " ms");
    case CURLE_ABORTED_BY_CALLBACK:
      return absl::CancelledError("request cancelled");
    case CURLE_WRITE_ERROR:
      if (ex.stopped_by_callback) return absl::AbortedError("stopped reading the answer");
      if (ex.too_large) {
        return absl::ResourceExhaustedError("answer larger than " + std::to_string(request.max_body_bytes) +
                                            " bytes");
      }
      return absl::UnavailableError(why);
    default:
      // Header values are never part of the message; the URL only when it is not a secret.
      return absl::UnavailableError(why + " (" +
                                    (request.url_is_secret ? UrlOrigin(request.url) : request.url) + ")");
  }
}

int64_t ParseRetryAfterMs(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.empty()) return -1;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (value.size() > 9) return -1;
    return std::stoll(std::string(value)) * 1000;
  }
  time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when < 0) return -1;
  int64_t delta = static_cast<int64_t>(when - std::time(nullptr)) * 1000;
  return std::max<int64_t>(delta, 0);
}

}  // namespace awoooi::net
