#include "brain/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>

namespace awoooi::brain {
namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  const HttpRequest* request = nullptr;
  const BodyChunkFn* on_chunk = nullptr;
  HttpResponse response;
  bool status_known = false;
  bool stopped_by_callback = false;
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

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t bytes = size * n;
  LearnStatus(ex);
  if (ex->response.status >= 200 && ex->response.status < 300) {
    if (ex->on_chunk != nullptr && *ex->on_chunk && !(*ex->on_chunk)(std::string_view(data, bytes))) {
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

}  // namespace

absl::StatusOr<HttpResponse> HttpPost(const HttpRequest& request, const BodyChunkFn& on_chunk) {
  GlobalInit();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::ResourceExhaustedError("cannot create an HTTP client handle");
  Exchange ex;
  ex.request = &request;
  ex.on_chunk = &on_chunk;
  ex.curl = curl;

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  // Stream as it comes: no "Expect: 100-continue" round trip for large prompts.
  headers = curl_slist_append(headers, "Expect:");

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
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
      return absl::UnavailableError(why);
    default:
      // The URL is configuration (no secret in it); header values are never part of the message.
      return absl::UnavailableError(why + " (" + request.url + ")");
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

}  // namespace awoooi::brain
