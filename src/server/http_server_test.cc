// The HTTP server's denial-of-service limits, driven over real sockets: an in-process HttpServer on
// 127.0.0.1:0 with a tiny handler, and a raw-socket client that writes exactly the bytes a test
// needs. Waits are bounded by socket receive timeouts and deadlines only so that a broken build
// fails instead of hanging; no assertion depends on how fast anything is.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/http.h"

namespace awoooi::server {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr auto kPatience = std::chrono::seconds(20);  // a bound against hangs, not a threshold

bool WaitUntil(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

class Client {
 public:
  // `source` binds the client to another loopback address (all of 127.0.0.0/8 is local on Linux).
  explicit Client(uint16_t port, const char* source = nullptr, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    if (source != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      inet_pton(AF_INET, source, &local.sin_addr);
      bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
    }
    port_ = port;
  }
  // For tests that need the descriptor to exist before the connection does.
  bool Connect() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    return connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { Close(); }
  int fd() const { return fd_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until `needle` has arrived, the peer closed, or the receive timeout; returns all read.
  std::string ReadUntil(std::string_view needle) {
    while (buffer_.find(needle) == std::string::npos && Fill()) {
    }
    return buffer_;
  }
  std::string ReadToEnd() {
    while (Fill()) {
    }
    return buffer_;
  }
  // One response: the head and, with a Content-Length, its body. Consumed from the buffer.
  std::string ReadResponse() {
    ReadUntil("\r\n\r\n");
    auto end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return std::exchange(buffer_, "");
    size_t length = 0;
    auto cl = buffer_.find("Content-Length: ");
    if (cl != std::string::npos && cl < end) {
      (void)absl::SimpleAtoi(buffer_.substr(cl + 16, buffer_.find("\r\n", cl) - cl - 16), &length);
    }
    while (buffer_.size() < end + 4 + length && Fill()) {
    }
    std::string response = buffer_.substr(0, std::min(buffer_.size(), end + 4 + length));
    buffer_.erase(0, response.size());
    return response;
  }
  bool PeerClosed() {
    ReadToEnd();
    return closed_;
  }

 private:
  bool Fill() {
    char chunk[65536];
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      if (n == 0 || errno == ECONNRESET) closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::string buffer_;
  bool closed_ = false;
};

std::string Get(const std::string& target) {
  return absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: t\r\n\r\n");
}

std::string BodyOf(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

// A server on 127.0.0.1:0 running its I/O threads until the test ends.
class TestServer {
 public:
  TestServer(HttpServerOptions options, Handler handler) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    server_ = HttpServer::Create(std::move(options), std::move(handler), nullptr);
    status_ = server_->Listen();
    if (status_.ok()) thread_ = std::thread([this] { server_->Run(); });
  }
  ~TestServer() {
    if (thread_.joinable()) {
      server_->Shutdown(0);
      thread_.join();
    }
  }
  const absl::Status& status() const { return status_; }
  uint16_t port() const { return server_->port(); }
  HttpServer& server() { return *server_; }

 private:
  std::unique_ptr<HttpServer> server_;
  absl::Status status_;
  std::thread thread_;
};

Handler Echo() {
  return [](std::shared_ptr<Exchange> ex) {
    HttpResponse r;
    r.body = absl::StrCat("{\"path\":\"", ex->request().path, "\",\"body_bytes\":", ex->request().body.size(),
                          "}");
    ex->Respond(std::move(r));
  };
}

// ---------------------------------------------------------------------------------------------
// The header-phase hook.

struct HookSeen {
  std::mutex mu;
  std::string method, path, token_query, remote;
  std::optional<uint64_t> content_length;
  int calls = 0;
};

HttpServerOptions IngestAuthOptions(std::shared_ptr<HookSeen> seen) {
  HttpServerOptions o;
  o.max_body_bytes = 64 << 20;
  o.on_headers = [seen](const HttpRequest& head,
                        std::optional<uint64_t> length) -> std::optional<HttpResponse> {
    {
      std::lock_guard<std::mutex> lock(seen->mu);
      ++seen->calls;
      seen->method = head.method;
      seen->path = head.path;
      seen->remote = head.remote;
      seen->content_length = length;
      auto q = head.query.find("q");
      seen->token_query = q == head.query.end() ? "" : q->second;
    }
    if (head.path == "/ingest" && head.Header("authorization") != "Bearer good") {
      auto r = ErrorResponse(401, "unauthenticated", "ingestion needs the configured bearer token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    return std::nullopt;
  };
  return o;
}

TEST(HttpServerHeaderHook, RefusesFromTheHeadersWithoutAskingForTheBody) {
  auto seen = std::make_shared<HookSeen>();
  std::atomic<int> handled{0};
  TestServer server(IngestAuthOptions(seen), [&handled](std::shared_ptr<Exchange> ex) {
    ++handled;
    Echo()(std::move(ex));
  });
  ASSERT_TRUE(server.status().ok()) << server.status();

  Client c(server.port());
  ASSERT_TRUE(c.Connect());
  // A client that waits for "100 Continue" before sending 50 MB gets the refusal instead.
  ASSERT_TRUE(
      c.Send("POST /ingest?q=a%20b HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
             "Content-Length: 52428800\r\nExpect: 100-continue\r\n\r\n"));
  std::string response = c.ReadResponse();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(response, HasSubstr("WWW-Authenticate: Bearer"));
  EXPECT_THAT(response, HasSubstr("Connection: close"));
  EXPECT_THAT(BodyOf(response), HasSubstr("\"code\":\"unauthenticated\""));
  EXPECT_TRUE(c.PeerClosed());
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(server.server().stats().refused_at_headers, 1);

  std::lock_guard<std::mutex> lock(seen->mu);
  EXPECT_EQ(seen->method, "POST");
  EXPECT_EQ(seen->path, "/ingest");
  EXPECT_EQ(seen->token_query, "a b");
  EXPECT_EQ(seen->remote, "127.0.0.1");
  EXPECT_EQ(seen->content_length, std::optional<uint64_t>(52428800));
}

TEST(HttpServerHeaderHook, RefusalReachesAClientThatAlreadySentItsBody) {
  auto seen = std::make_shared<HookSeen>();
  TestServer server(IngestAuthOptions(seen), Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();

  // No "Expect": the body follows the headers at once, more of it than socket buffers hold. The
  // server answers from the headers and drains the rest before closing: a close with unread
  // input would reset the connection, the client's send would fail, and it would never read the
  // answer (as Python's http.client and many others do).
  Client c(server.port());
  ASSERT_TRUE(c.Connect());
  std::string body(16 << 20, 'x');
  ASSERT_TRUE(
      c.Send(absl::StrCat("POST /ingest HTTP/1.1\r\nHost: t\r\nContent-Length: ", body.size(), "\r\n\r\n")));
  EXPECT_TRUE(c.Send(body));
  std::string response = c.ReadResponse();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 401"));
  EXPECT_THAT(BodyOf(response), HasSubstr("bearer token"));
}

TEST(HttpServerHeaderHook, AcceptedRequestsReadTheirBodyAndReachTheHandler) {
  auto seen = std::make_shared<HookSeen>();
  TestServer server(IngestAuthOptions(seen), Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();

  Client c(server.port());
  ASSERT_TRUE(c.Connect());
  ASSERT_TRUE(
      c.Send("POST /ingest HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer good\r\nContent-Length: 5\r\n"
             "Expect: 100-continue\r\n\r\n"));
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 100 Continue"));
  ASSERT_TRUE(c.Send("hello"));
  std::string response = c.ReadResponse();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200"));
  EXPECT_EQ(BodyOf(response), "{\"path\":\"/ingest\",\"body_bytes\":5}");

  // Keep-alive still works after a hook that let the request through; a GET declares no body.
  ASSERT_TRUE(c.Send(Get("/other")));
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 200"));
  std::lock_guard<std::mutex> lock(seen->mu);
  EXPECT_EQ(seen->calls, 2);
  EXPECT_EQ(seen->content_length, std::optional<uint64_t>(0));
}

TEST(HttpServerHeaderHook, ChunkedBodiesHaveNoDeclaredLength) {
  auto seen = std::make_shared<HookSeen>();
  TestServer server(IngestAuthOptions(seen), Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();
  Client c(server.port());
  ASSERT_TRUE(c.Connect());
  ASSERT_TRUE(
      c.Send("POST /other HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
  EXPECT_THAT(c.ReadResponse(), HasSubstr("\"body_bytes\":3"));
  std::lock_guard<std::mutex> lock(seen->mu);
  EXPECT_EQ(seen->content_length, std::nullopt);
}

TEST(HttpServerHeaderHook, AThrowingHookIsA500NotACrash) {
  HttpServerOptions o;
  o.on_headers = [](const HttpRequest&, std::optional<uint64_t>) -> std::optional<HttpResponse> {
    throw std::runtime_error("boom");
  };
  TestServer server(o, Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();
  Client c(server.port());
  ASSERT_TRUE(c.Connect());
  ASSERT_TRUE(c.Send(Get("/x")));
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 500"));
}

// ---------------------------------------------------------------------------------------------
// Server-sent events: framing, caps, the write timeout.

struct SseEvent {
  std::string type, data, id;
};

// The WHATWG event-stream parser, as a browser's EventSource runs it: lines end at CRLF, LF or CR.
std::vector<SseEvent> ParseEventStream(std::string_view body) {
  std::vector<SseEvent> events;
  std::string type, data, last_id;
  bool has_data = false;
  size_t i = 0;
  while (i < body.size()) {
    size_t end = i;
    while (end < body.size() && body[end] != '\r' && body[end] != '\n') ++end;
    if (end == body.size()) break;  // an unterminated last line is not processed
    std::string_view line = body.substr(i, end - i);
    i = end + ((body[end] == '\r' && end + 1 < body.size() && body[end + 1] == '\n') ? 2 : 1);
    if (line.empty()) {
      if (has_data) {
        if (!data.empty() && data.back() == '\n') data.pop_back();
        events.push_back({type.empty() ? "message" : type, data, last_id});
      }
      type.clear();
      data.clear();
      has_data = false;
      continue;
    }
    if (line.front() == ':') continue;
    auto colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "data") {
      data.append(value);
      data += '\n';
      has_data = true;
    } else if (field == "event") {
      type = std::string(value);
    } else if (field == "id" && value.find('\0') == std::string_view::npos) {
      last_id = std::string(value);
    }
  }
  return events;
}

TEST(HttpServerEvents, CarriageReturnsEndDataLinesAndCannotStartFieldsOrEvents) {
  TestServer server(HttpServerOptions{}, [](std::shared_ptr<Exchange> ex) {
    auto stream = ex->StartEvents();
    ASSERT_NE(stream, nullptr);
    // Text as an alert name or an LLM's reasoning may carry it: every kind of line end, and
    // attempts to start a field or a whole new event after one.
    stream->Send("thinking\r\nevent: forged", "one\rtwo\r\nthree\nfour\r\revent: forged\r\rdata: injected\n",
                 std::string("7\r\nid: 666\0", 11));
    stream->Send("second", "plain");
    stream->Close();
  });
  ASSERT_TRUE(server.status().ok()) << server.status();
  Client c(server.port());
  ASSERT_TRUE(c.Connect());
  ASSERT_TRUE(c.Send(Get("/events")));
  std::string all = c.ReadToEnd();
  ASSERT_THAT(all, StartsWith("HTTP/1.1 200 OK\r\n"));
  ASSERT_THAT(all, HasSubstr("Content-Type: text/event-stream"));

  auto events = ParseEventStream(BodyOf(all));
  ASSERT_EQ(events.size(), 2u) << BodyOf(all);
  EXPECT_EQ(events[0].type, "thinkingevent: forged");  // CR and LF dropped: one name, not two fields
  EXPECT_EQ(events[0].data, "one\ntwo\nthree\nfour\n\nevent: forged\n\ndata: injected\n");
  EXPECT_EQ(events[0].id, "7id: 666");  // NUL dropped too, else a client would ignore the id
  EXPECT_EQ(events[1].type, "second");
  EXPECT_EQ(events[1].data, "plain");
  for (const auto& e : events) EXPECT_NE(e.type, "forged");
}

// Holds the streams a handler started, per test.
struct Streams {
  std::mutex mu;
  std::vector<std::shared_ptr<EventStream>> live;
  void Add(std::shared_ptr<EventStream> s) {
    std::lock_guard<std::mutex> lock(mu);
    live.push_back(std::move(s));
  }
};

Handler StreamPerUser(std::shared_ptr<Streams> streams) {
  return [streams](std::shared_ptr<Exchange> ex) {
    auto user = ex->request().query.find("user");
    auto stream = ex->StartEvents(user == ex->request().query.end() ? "" : user->second);
    if (stream) streams->Add(std::move(stream));
  };
}

TEST(HttpServerEvents, ViewerCapsRefuseWithJsonErrorsAndFreeSlotsWhenViewersLeave) {
  HttpServerOptions o;
  o.max_event_viewers = 3;
  o.max_event_viewers_per_user = 2;
  auto streams = std::make_shared<Streams>();
  TestServer server(o, StreamPerUser(streams));
  ASSERT_TRUE(server.status().ok()) << server.status();

  auto open = [&](const char* user) {
    auto c = std::make_unique<Client>(server.port());
    EXPECT_TRUE(c->Connect());
    c->Send(Get(absl::StrCat("/events?user=", user)));
    return c;
  };
  auto alice1 = open("alice");
  EXPECT_THAT(alice1->ReadUntil(": stream open"), StartsWith("HTTP/1.1 200"));
  auto alice2 = open("alice");
  EXPECT_THAT(alice2->ReadUntil(": stream open"), StartsWith("HTTP/1.1 200"));

  auto alice3 = open("alice");
  std::string refused = alice3->ReadResponse();
  EXPECT_THAT(refused, StartsWith("HTTP/1.1 429"));
  EXPECT_THAT(BodyOf(refused), HasSubstr("\"code\":\"too_many_streams\""));

  auto bob = open("bob");
  EXPECT_THAT(bob->ReadUntil(": stream open"), StartsWith("HTTP/1.1 200"));
  auto carol = open("carol");
  std::string full = carol->ReadResponse();
  EXPECT_THAT(full, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(BodyOf(full), HasSubstr("\"code\":\"unavailable\""));
  EXPECT_EQ(server.server().stats().event_viewers, 3);
  EXPECT_EQ(server.server().stats().viewers_refused, 2);

  // A viewer that leaves frees its place for the same user.
  alice1->Close();
  EXPECT_TRUE(WaitUntil([&] { return server.server().stats().event_viewers == 2; }));
  auto alice4 = open("alice");
  EXPECT_THAT(alice4->ReadUntil(": stream open"), StartsWith("HTTP/1.1 200"));
}

TEST(HttpServerEvents, StreamsWithoutAViewerKeyCountOnlyGlobally) {
  HttpServerOptions o;
  o.max_event_viewers = 100;
  o.max_event_viewers_per_user = 1;
  auto streams = std::make_shared<Streams>();
  TestServer server(o, StreamPerUser(streams));
  ASSERT_TRUE(server.status().ok()) << server.status();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<Client>(server.port()));
    ASSERT_TRUE(clients.back()->Connect());
    clients.back()->Send(Get("/events"));
    EXPECT_THAT(clients.back()->ReadUntil(": stream open"), StartsWith("HTTP/1.1 200"));
  }
}

TEST(HttpServerEvents, AViewerWhoseSocketTakesNothingIsClosedByTheWriteTimeout) {
  HttpServerOptions o;
  o.event_write_timeout_ms = 200;
  o.max_event_backlog_bytes = 1 << 30;  // so that only the time bound can end this viewer
  auto streams = std::make_shared<Streams>();
  TestServer server(o, StreamPerUser(streams));
  ASSERT_TRUE(server.status().ok()) << server.status();

  // A viewer with a tiny receive window that never reads.
  Client stuck(server.port(), nullptr, /*receive_buffer=*/4096);
  ASSERT_TRUE(stuck.Connect());
  ASSERT_TRUE(stuck.Send(Get("/events?user=stuck")));
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(streams->mu);
    return streams->live.size() == 1;
  }));
  std::shared_ptr<EventStream> stream;
  {
    std::lock_guard<std::mutex> lock(streams->mu);
    stream = streams->live.front();
  }
  // More than the kernel's socket buffers hold (tcp_wmem's maximum is 4 MiB by default), so
  // output waits in the process.
  std::string event(4096, 'e');
  for (size_t sent = 0; sent < (32u << 20) && !stream->closed(); sent += event.size())
    stream->Send("tick", event);
  EXPECT_TRUE(WaitUntil([&] { return stream->closed(); }));
  auto stats = server.server().stats();
  EXPECT_EQ(stats.viewers_write_timeout, 1);
  EXPECT_EQ(stats.viewers_backlog_cut, 0);
  EXPECT_TRUE(WaitUntil([&] { return server.server().stats().event_viewers == 0; }));
}

TEST(HttpServerEvents, AViewerTooFarBehindIsCutOff) {
  HttpServerOptions o;
  o.max_event_backlog_bytes = 64 << 10;
  o.event_write_timeout_ms = 3'600'000;  // so that only the backlog bound can end this viewer
  auto streams = std::make_shared<Streams>();
  TestServer server(o, StreamPerUser(streams));
  ASSERT_TRUE(server.status().ok()) << server.status();
  Client stuck(server.port(), nullptr, /*receive_buffer=*/4096);
  ASSERT_TRUE(stuck.Connect());
  ASSERT_TRUE(stuck.Send(Get("/events?user=stuck")));
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(streams->mu);
    return streams->live.size() == 1;
  }));
  std::shared_ptr<EventStream> stream;
  {
    std::lock_guard<std::mutex> lock(streams->mu);
    stream = streams->live.front();
  }
  std::string event(4096, 'e');
  for (size_t sent = 0; sent < (32u << 20) && !stream->closed(); sent += event.size())
    stream->Send("tick", event);
  EXPECT_TRUE(WaitUntil([&] { return stream->closed(); }));
  EXPECT_EQ(server.server().stats().viewers_backlog_cut, 1);
  EXPECT_EQ(server.server().stats().viewers_write_timeout, 0);
}

TEST(HttpServerEvents, ASlowButSteadyReaderKeepsItsStream) {
  // The bound is on time without progress, not on the time a backlog takes to drain: a viewer that
  // reads 64 KiB every 10 ms keeps its stream while 16 MiB pass, more than the kernel's buffers
  // hold, so output waits in the server for far longer than the timeout.
  HttpServerOptions o;
  o.event_write_timeout_ms = 1000;
  o.max_event_backlog_bytes = 1 << 30;
  auto streams = std::make_shared<Streams>();
  TestServer server(o, StreamPerUser(streams));
  ASSERT_TRUE(server.status().ok()) << server.status();
  Client reader(server.port(), nullptr, /*receive_buffer=*/64 << 10);
  ASSERT_TRUE(reader.Connect());
  ASSERT_TRUE(reader.Send(Get("/events?user=reader")));
  reader.ReadUntil(": stream open");
  std::shared_ptr<EventStream> stream;
  {
    std::lock_guard<std::mutex> lock(streams->mu);
    ASSERT_EQ(streams->live.size(), 1u);
    stream = streams->live.front();
  }
  std::string event(4096, 'e');
  for (int i = 0; i < 4096; ++i) ASSERT_TRUE(stream->Send("tick", event));
  stream->Send("last", "x");
  std::string tail;
  size_t received = 0;
  std::vector<char> chunk(64 << 10);
  while (tail.find("event: last") == std::string::npos) {
    ssize_t n = recv(reader.fd(), chunk.data(), chunk.size(), 0);
    if (n <= 0) break;
    received += static_cast<size_t>(n);
    tail = tail.substr(tail.size() > 32 ? tail.size() - 32 : 0) +
           std::string(chunk.data(), static_cast<size_t>(n));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_THAT(tail, HasSubstr("event: last"));
  EXPECT_GT(received, 16u << 20);
  EXPECT_FALSE(stream->closed());
  EXPECT_EQ(server.server().stats().viewers_write_timeout, 0);
}

// ---------------------------------------------------------------------------------------------
// Connection caps.

TEST(HttpServerConnections, PerClientCapAnswers429AndCountsEachAddressApart) {
  HttpServerOptions o;
  o.max_connections_per_client = 3;
  TestServer server(o, Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();

  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>(server.port()));
    ASSERT_TRUE(held.back()->Connect());
    ASSERT_TRUE(held.back()->Send(Get("/ping")));
    EXPECT_THAT(held.back()->ReadResponse(), StartsWith("HTTP/1.1 200"));
  }
  Client fourth(server.port());
  ASSERT_TRUE(fourth.Connect());
  std::string refused = fourth.ReadResponse();
  EXPECT_THAT(refused, StartsWith("HTTP/1.1 429"));
  EXPECT_THAT(BodyOf(refused), HasSubstr("\"code\":\"too_many_connections\""));
  EXPECT_TRUE(fourth.PeerClosed());
  EXPECT_EQ(server.server().stats().refused_per_client, 1);

  // Another address is another client.
  Client other(server.port(), "127.0.0.2");
  ASSERT_TRUE(other.Connect());
  ASSERT_TRUE(other.Send(Get("/ping")));
  EXPECT_THAT(other.ReadResponse(), StartsWith("HTTP/1.1 200"));

  // A connection that closes frees its place.
  held.front()->Close();
  EXPECT_TRUE(WaitUntil([&] { return server.server().open_connections() == 3; }));
  Client again(server.port());
  ASSERT_TRUE(again.Connect());
  ASSERT_TRUE(again.Send(Get("/ping")));
  EXPECT_THAT(again.ReadResponse(), StartsWith("HTTP/1.1 200"));
}

TEST(HttpServerConnections, LoopbackCanBeExemptFromThePerClientCap) {
  HttpServerOptions o;
  o.max_connections_per_client = 1;
  o.per_client_cap_exempts_loopback = true;
  TestServer server(o, Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<Client>(server.port()));
    ASSERT_TRUE(held.back()->Connect());
    ASSERT_TRUE(held.back()->Send(Get("/ping")));
    EXPECT_THAT(held.back()->ReadResponse(), StartsWith("HTTP/1.1 200"));
  }
}

TEST(HttpServerConnections, GlobalCapAnswers503) {
  HttpServerOptions o;
  o.max_connections = 2;
  TestServer server(o, Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();
  Client a(server.port()), b(server.port()), c(server.port());
  ASSERT_TRUE(a.Connect());
  ASSERT_TRUE(a.Send(Get("/a")));
  EXPECT_THAT(a.ReadResponse(), StartsWith("HTTP/1.1 200"));
  ASSERT_TRUE(b.Connect());
  ASSERT_TRUE(b.Send(Get("/b")));
  EXPECT_THAT(b.ReadResponse(), StartsWith("HTTP/1.1 200"));
  ASSERT_TRUE(c.Connect());
  std::string refused = c.ReadResponse();
  EXPECT_THAT(refused, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(refused, HasSubstr("Retry-After: 1"));
  EXPECT_EQ(server.server().stats().refused_server_full, 1);
}

// Sets RLIMIT_NOFILE's soft limit for one test and puts the old one back.
class SoftFileLimit {
 public:
  explicit SoftFileLimit(rlim_t soft) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit l = saved_;
    l.rlim_cur = soft;
    ok_ = setrlimit(RLIMIT_NOFILE, &l) == 0;
  }
  ~SoftFileLimit() { Restore(); }
  void Restore() { setrlimit(RLIMIT_NOFILE, &saved_); }
  bool ok() const { return ok_; }
  rlim_t hard() const { return saved_.rlim_max; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

TEST(HttpServerConnections, CapStaysBelowTheDescriptorLimit) {
  SoftFileLimit limit(1000);
  ASSERT_TRUE(limit.ok());
  HttpServerOptions o;
  o.max_connections = 100'000;
  o.raise_fd_limit = false;
  TestServer server(o, Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();
  EXPECT_EQ(server.server().max_connections(), 1000 - 64);
  EXPECT_EQ(server.server().stats().max_connections, 1000 - 64);
}

TEST(HttpServerConnections, RaisesTheSoftDescriptorLimitToTheHardLimit) {
  SoftFileLimit limit(900);
  ASSERT_TRUE(limit.ok());
  if (limit.hard() == RLIM_INFINITY || limit.hard() <= 900)
    GTEST_SKIP() << "no room between soft and hard limit";
  HttpServerOptions o;
  o.max_connections = 100'000'000;
  TestServer server(o, Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();
  rlimit now{};
  getrlimit(RLIMIT_NOFILE, &now);
  EXPECT_EQ(now.rlim_cur, limit.hard());
  EXPECT_EQ(server.server().max_connections(), static_cast<int64_t>(limit.hard()) - 64);
}

// The highest descriptor number open in this process.
int HighestDescriptor() {
  int highest = -1;
  if (DIR* d = opendir("/proc/self/fd")) {
    const int own = dirfd(d);
    while (dirent* e = readdir(d)) {
      int fd = 0;
      if (e->d_name[0] != '.' && absl::SimpleAtoi(e->d_name, &fd) && fd != own)
        highest = std::max(highest, fd);
    }
    closedir(d);
  }
  return highest;
}

TEST(HttpServerConnections, AcceptBacksOffWhenOutOfDescriptorsAndServesTheQueueAfterwards) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizer runtimes need descriptors of their own (UBSan's vptr check opens a pipe), so a
  // process with none left reports false errors; the release build runs this test.
  GTEST_SKIP() << "needs a process without sanitizer runtimes";
#endif
  HttpServerOptions o;
  o.raise_fd_limit = false;
  TestServer server(o, Echo());
  ASSERT_TRUE(server.status().ok()) << server.status();

  // The client sockets exist before the limit drops, so only the server's accept() runs out.
  // One answered request first, so every descriptor the server makes lazily (epoll, timers) exists.
  {
    Client warm(server.port());
    ASSERT_TRUE(warm.Connect());
    ASSERT_TRUE(warm.Send(Get("/warm")));
    ASSERT_THAT(warm.ReadResponse(), StartsWith("HTTP/1.1 200"));
  }
  constexpr int kClients = 8;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<Client>(server.port()));
  // The limit sits just above the highest open descriptor and the gaps below it are filled, so the
  // next descriptor anyone asks for fails with EMFILE whatever the test runner left open.
  SoftFileLimit limit(static_cast<rlim_t>(HighestDescriptor() + 1));
  ASSERT_TRUE(limit.ok());
  struct Fillers {
    std::vector<int> fds;
    ~Fillers() {
      for (int fd : fds) close(fd);
    }
  } fillers;
  for (int fd; (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.fds.push_back(fd);
  for (auto& c : clients) {
    ASSERT_TRUE(c->Connect());  // completed by the kernel into the listen backlog
    ASSERT_TRUE(c->Send(Get("/queued")));
  }
  EXPECT_TRUE(WaitUntil([&] { return server.server().stats().accept_errors > 0; }));
  for (int fd : fillers.fds) close(fd);
  fillers.fds.clear();
  limit.Restore();
  // Every queued connection is accepted and answered once descriptors are free again.
  for (auto& c : clients) EXPECT_THAT(c->ReadResponse(), StartsWith("HTTP/1.1 200"));
}

}  // namespace
}  // namespace awoooi::server
