// Boost.Beast lives in this file only (see docs/architecture.md: heavy headers stay in few .cc).
#include <utility>  // before Asio: Boost 1.74 needs std::exchange declared
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/http.h"

namespace awoooi::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kMaxEventBacklogBytes = 4 << 20;  // a viewer this far behind is cut off
constexpr auto kHeartbeat = std::chrono::seconds(15);

std::string MakeRequestId(std::string_view given) {
  if (!given.empty() && given.size() <= 64) {
    bool ok = true;
    for (char c : given) ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    if (ok) return std::string(given);
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t v = rng();
  for (int i = 0; i < 16; ++i) id[i] = kHex[(v >> (i * 4)) & 15];
  return id;
}

void ParseQuery(std::string_view q, std::map<std::string, std::string>* out) {
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    auto eq = part.find('=');
    std::string key = UrlDecode(part.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : UrlDecode(part.substr(eq + 1), true);
    if (!key.empty()) (*out)[key] = value;
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
}

class ServerImpl;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerImpl& server);
  ~Session();
  void Start();
  // Called on the strand.
  void WriteResponse(HttpResponse response, bool keep_alive, std::shared_ptr<HttpRequest> request,
                     std::chrono::steady_clock::time_point started);
  void BeginEvents(std::shared_ptr<HttpRequest> request);
  void Enqueue(std::string chunk);  // event stream output, on the strand
  void CloseNow();                  // on the strand
  void CloseAfterDrain();           // on the strand: end the event stream once queued events are written
  net::any_io_executor executor() { return stream_.get_executor(); }
  std::atomic<bool> closed{false};

 private:
  void DoRead();
  void OnHeader(beast::error_code ec, std::size_t bytes);
  void OnRead(beast::error_code ec, std::size_t bytes);
  void FailRequest(int status, std::string_view code, std::string_view message);
  void WriteNextEvent();
  void WatchForDisconnect();
  void ScheduleHeartbeat();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ServerImpl& server_;
  std::string remote_;
  // Event-stream state (strand only).
  bool events_ = false;
  std::deque<std::string> out_;
  std::size_t out_bytes_ = 0;
  bool writing_ = false;
  bool close_after_drain_ = false;
  std::optional<net::steady_timer> heartbeat_;
  char probe_[64];
};

class StreamImpl final : public EventStream {
 public:
  explicit StreamImpl(std::weak_ptr<Session> s) : session_(std::move(s)) {}
  bool Send(std::string_view event, std::string_view data, std::string_view id) override {
    auto s = session_.lock();
    if (!s || s->closed.load()) return false;
    std::string chunk;
    if (!id.empty()) absl::StrAppend(&chunk, "id: ", std::string(id), "\n");
    if (!event.empty()) absl::StrAppend(&chunk, "event: ", std::string(event), "\n");
    std::string_view rest = data;
    do {
      auto nl = rest.find('\n');
      absl::StrAppend(&chunk, "data: ", std::string(rest.substr(0, nl)), "\n");
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    } while (true);
    chunk += "\n";
    net::post(s->executor(), [s, chunk = std::move(chunk)]() mutable { s->Enqueue(std::move(chunk)); });
    return true;
  }
  void Close() override {
    if (auto s = session_.lock()) net::post(s->executor(), [s] { s->CloseAfterDrain(); });
  }
  bool closed() const override {
    auto s = session_.lock();
    return !s || s->closed.load();
  }

 private:
  std::weak_ptr<Session> session_;
};

class ExchangeImpl final : public Exchange {
 public:
  ExchangeImpl(std::shared_ptr<Session> s, std::shared_ptr<HttpRequest> r, bool keep_alive)
      : session_(std::move(s)), request_(std::move(r)), keep_alive_(keep_alive),
        started_(std::chrono::steady_clock::now()) {}
  ~ExchangeImpl() override {
    // A handler that dropped the exchange without answering still frees the connection.
    if (!answered_.exchange(true)) Post(ErrorResponse(absl::InternalError("the request was not answered")));
  }
  const HttpRequest& request() const override { return *request_; }
  void Respond(HttpResponse response) override {
    if (answered_.exchange(true)) return;
    Post(std::move(response));
  }
  std::shared_ptr<EventStream> StartEvents() override {
    if (answered_.exchange(true)) return nullptr;
    auto s = session_;
    auto r = request_;
    net::post(s->executor(), [s, r] { s->BeginEvents(r); });
    return std::make_shared<StreamImpl>(s);
  }

 private:
  void Post(HttpResponse response) {
    auto s = session_;
    net::post(s->executor(), [s, response = std::move(response), ka = keep_alive_, r = request_,
                              t = started_]() mutable { s->WriteResponse(std::move(response), ka, r, t); });
  }
  std::shared_ptr<Session> session_;
  std::shared_ptr<HttpRequest> request_;
  bool keep_alive_;
  std::chrono::steady_clock::time_point started_;
  std::atomic<bool> answered_{false};
};

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(HttpServerOptions o, Handler h, RequestObserver obs)
      : options_(std::move(o)), handler_(std::move(h)), observer_(std::move(obs)) {
    // One single-threaded io_context per I/O thread (connections are dealt round-robin): no
    // locking inside Asio, and a busy connection cannot pile all work onto one thread.
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      iocs_.push_back(std::make_unique<net::io_context>(1));
      work_.push_back(net::make_work_guard(*iocs_.back()));
    }
    acceptor_.emplace(*iocs_.front());
  }

  absl::Status Listen() override {
    beast::error_code ec;
    auto addr = net::ip::make_address(options_.host, ec);
    if (ec) return absl::InvalidArgumentError(absl::StrCat("server.listen: bad address \"", options_.host, "\""));
    tcp::endpoint ep(addr, options_.port);
    acceptor_->open(ep.protocol(), ec);
    if (!ec) acceptor_->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(ep, ec);
    if (!ec) acceptor_->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options_.host, ":", options_.port, ": ", ec.message()));
    }
    port_ = acceptor_->local_endpoint().port();
    DoAccept();
    return absl::OkStatus();
  }

  uint16_t port() const override { return port_; }

  void Run() override {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < iocs_.size(); ++i) threads.emplace_back([this, i] { iocs_[i]->run(); });
    iocs_.front()->run();
    for (auto& t : threads) t.join();
  }

  void Shutdown(int64_t grace_ms) override {
    if (draining_.exchange(true)) return;
    net::post(acceptor_->get_executor(), [this] {
      beast::error_code ec;
      acceptor_->close(ec);
    });
    // Event streams and idle keep-alive connections end now; requests in flight get `grace_ms`.
    CloseSessions(/*only_idle=*/true);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    auto timer = std::make_shared<net::steady_timer>(*iocs_.front());
    WaitForDrain(timer, deadline);
  }

  int64_t open_connections() const override { return connections_.load(); }
  // One context, single-threaded: posted work runs in posting order (health updates must not
  // overtake each other).
  void Post(std::function<void()> fn) override { net::post(*iocs_.front(), std::move(fn)); }

  // Session bookkeeping.
  void Register(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[s] = SessionState{std::move(w), false};
  }
  void Unregister(Session* s) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.erase(s);
  }
  void SetBusy(Session* s, bool busy) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(s);
    if (it != sessions_.end()) it->second.busy = busy;
    if (busy) ++in_flight_;
    else --in_flight_;
  }

  const HttpServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  void Observe(const HttpRequest& r, int status, double seconds) {
    if (observer_) observer_(r, status, seconds);
  }
  bool draining() const { return draining_.load(); }
  std::atomic<int64_t> connections_{0};

 private:
  struct SessionState {
    std::weak_ptr<Session> session;
    bool busy;
  };

  void DoAccept() {
    acceptor_->async_accept(NextContext(), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor_->is_open()) return;
        // Out of descriptors and similar: keep serving the connections we have.
        DoAccept();
        return;
      }
      if (connections_.load() >= options_.max_connections || draining_.load()) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), *this)->Start();
      }
      DoAccept();
    });
  }

  void CloseSessions(bool only_idle) {
    std::vector<std::shared_ptr<Session>> victims;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [ptr, st] : sessions_) {
        if (only_idle && st.busy) continue;
        if (auto s = st.session.lock()) victims.push_back(std::move(s));
      }
    }
    for (auto& s : victims) net::post(s->executor(), [s] { s->CloseNow(); });
  }

  void WaitForDrain(std::shared_ptr<net::steady_timer> timer, std::chrono::steady_clock::time_point deadline) {
    int64_t busy;
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy = in_flight_;
    }
    if (busy <= 0 || std::chrono::steady_clock::now() >= deadline) {
      CloseSessions(/*only_idle=*/false);
      timer->expires_after(std::chrono::milliseconds(50));
      timer->async_wait([this, timer](beast::error_code) {
        for (auto& w : work_) w.reset();
        for (auto& ioc : iocs_) ioc->stop();
      });
      return;
    }
    CloseSessions(/*only_idle=*/true);
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([this, timer, deadline](beast::error_code) { WaitForDrain(timer, deadline); });
  }

  HttpServerOptions options_;
  Handler handler_;
  RequestObserver observer_;
  net::io_context& NextContext() { return *iocs_[next_.fetch_add(1) % iocs_.size()]; }

  std::vector<std::unique_ptr<net::io_context>> iocs_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::optional<tcp::acceptor> acceptor_;
  std::atomic<size_t> next_{0};
  uint16_t port_ = 0;
  std::atomic<bool> draining_{false};
  std::mutex mu_;
  std::unordered_map<Session*, SessionState> sessions_;  // guarded by mu_
  int64_t in_flight_ = 0;                                 // guarded by mu_
};

Session::Session(tcp::socket socket, ServerImpl& server) : stream_(std::move(socket)), server_(server) {
  ++server_.connections_;
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string();
}

Session::~Session() {
  --server_.connections_;
  server_.Unregister(this);
}

void Session::Start() {
  server_.Register(this, weak_from_this());
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
}

void Session::DoRead() {
  if (closed.load()) return;
  if (server_.draining()) {
    CloseNow();
    return;
  }
  parser_.emplace();
  parser_->body_limit(static_cast<std::uint64_t>(server_.options().max_body_bytes));
  parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
  stream_.expires_after(std::chrono::milliseconds(server_.options().request_timeout_ms));
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

void Session::OnHeader(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    OnRead(ec, bytes);
    return;
  }
  // Clients such as curl ask before sending a body ("Expect: 100-continue") and wait a second
  // for the go-ahead; give it at once so they do not stall.
  auto expect = parser_->get()[http::field::expect];
  if (!parser_->is_done() && beast::iequals(expect, "100-continue")) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code wec, std::size_t) {
                       if (wec) {
                         self->CloseNow();
                         return;
                       }
                       http::async_read(self->stream_, self->buffer_, *self->parser_,
                                        beast::bind_front_handler(&Session::OnRead, self));
                     });
    return;
  }
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
}

void Session::OnRead(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
      ec == net::error::connection_reset || ec == beast::error::timeout || closed.load()) {
    CloseNow();
    return;
  }
  if (ec == http::error::body_limit) {
    FailRequest(413, "payload_too_large",
                absl::StrCat("request body larger than ", server_.options().max_body_bytes, " bytes"));
    return;
  }
  if (ec == http::error::header_limit) {
    FailRequest(431, "headers_too_large", "request headers too large");
    return;
  }
  if (ec) {
    FailRequest(400, "bad_request", absl::StrCat("malformed HTTP request: ", ec.message()));
    return;
  }
  auto& msg = parser_->get();
  auto req = std::make_shared<HttpRequest>();
  req->method = std::string(msg.method_string());
  req->target = std::string(msg.target());
  std::string_view target = msg.target();
  auto qpos = target.find('?');
  req->path = UrlDecode(target.substr(0, qpos), false);
  if (qpos != std::string_view::npos) ParseQuery(target.substr(qpos + 1), &req->query);
  for (const auto& field : msg) {
    req->headers[absl::AsciiStrToLower(std::string(field.name_string()))] = std::string(field.value());
  }
  req->body = std::move(msg.body());
  req->remote = remote_;
  req->request_id = MakeRequestId(req->Header("x-request-id"));
  bool keep_alive = msg.keep_alive();
  server_.SetBusy(this, true);
  stream_.expires_never();  // the handler may wait for the group commit
  auto exchange = std::make_shared<ExchangeImpl>(shared_from_this(), req, keep_alive);
  try {
    server_.handler()(exchange);
  } catch (const std::exception& e) {
    exchange->Respond(ErrorResponse(absl::InternalError("internal error")));
  }
}

void Session::FailRequest(int status, std::string_view code, std::string_view message) {
  server_.SetBusy(this, true);
  auto req = std::make_shared<HttpRequest>();
  req->method = parser_ && parser_->is_header_done() ? std::string(parser_->get().method_string()) : "";
  req->path = "(unparsed)";
  req->remote = remote_;
  req->request_id = MakeRequestId("");
  WriteResponse(ErrorResponse(status, code, message), /*keep_alive=*/false, req, std::chrono::steady_clock::now());
}

void Session::WriteResponse(HttpResponse response, bool keep_alive, std::shared_ptr<HttpRequest> request,
                            std::chrono::steady_clock::time_point started) {
  if (closed.load()) {
    server_.SetBusy(this, false);
    return;
  }
  keep_alive = keep_alive && !server_.draining();
  auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
  res->set(http::field::server, "awoooi");
  res->set(http::field::content_type, response.content_type);
  res->set("X-Request-Id", request->request_id);
  for (auto& [k, v] : response.headers) res->set(k, v);
  res->body() = std::move(response.body);
  res->keep_alive(keep_alive);
  res->prepare_payload();
  int status = response.status;
  stream_.expires_after(std::chrono::milliseconds(server_.options().request_timeout_ms));
  http::async_write(stream_, *res,
                    [self = shared_from_this(), res, keep_alive, request, started, status](beast::error_code ec,
                                                                                          std::size_t) {
                      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                      self->server_.Observe(*request, status, secs);
                      self->server_.SetBusy(self.get(), false);
                      if (ec || !keep_alive) {
                        self->CloseNow();
                        return;
                      }
                      self->DoRead();
                    });
}

void Session::BeginEvents(std::shared_ptr<HttpRequest> request) {
  server_.SetBusy(this, false);  // a stream is not a request in flight: shutdown closes it
  server_.Observe(*request, 200, 0);
  if (closed.load()) return;
  events_ = true;
  stream_.expires_never();
  Enqueue(absl::StrCat("HTTP/1.1 200 OK\r\nServer: awoooi\r\nContent-Type: text/event-stream\r\n"
                       "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nX-Request-Id: ",
                       request->request_id, "\r\nConnection: close\r\n\r\n: stream open\n\n"));
  WatchForDisconnect();
  ScheduleHeartbeat();
}

void Session::Enqueue(std::string chunk) {
  if (closed.load()) return;
  out_bytes_ += chunk.size();
  out_.push_back(std::move(chunk));
  if (out_bytes_ > kMaxEventBacklogBytes) {
    CloseNow();
    return;
  }
  if (!writing_) WriteNextEvent();
}

void Session::CloseAfterDrain() {
  close_after_drain_ = true;
  if (!writing_ && out_.empty()) CloseNow();
}

void Session::WriteNextEvent() {
  if (out_.empty() || closed.load()) {
    writing_ = false;
    if (close_after_drain_) CloseNow();
    return;
  }
  writing_ = true;
  net::async_write(stream_.socket(), net::buffer(out_.front()),
                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                     if (ec) {
                       self->CloseNow();
                       return;
                     }
                     self->out_bytes_ -= self->out_.front().size();
                     self->out_.pop_front();
                     self->WriteNextEvent();
                   });
}

void Session::WatchForDisconnect() {
  // Event-stream clients send nothing; a read completing means they closed (or misbehave).
  stream_.socket().async_read_some(net::buffer(probe_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      self->CloseNow();
      return;
    }
    self->WatchForDisconnect();
  });
}

void Session::ScheduleHeartbeat() {
  if (!heartbeat_) heartbeat_.emplace(stream_.get_executor());
  heartbeat_->expires_after(kHeartbeat);
  heartbeat_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed.load()) return;
    self->Enqueue(": keep-alive\n\n");
    self->ScheduleHeartbeat();
  });
}

void Session::CloseNow() {
  if (closed.exchange(true)) return;
  if (heartbeat_) heartbeat_->cancel();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

}  // namespace

std::unique_ptr<HttpServer> HttpServer::Create(HttpServerOptions options, Handler handler, RequestObserver observer) {
  return std::make_unique<ServerImpl>(std::move(options), std::move(handler), std::move(observer));
}

}  // namespace awoooi::server
