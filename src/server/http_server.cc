// Boost.Beast lives in this file only (see docs/architecture.md: heavy headers stay in few .cc).
// clang-format off
#include <utility>  // before Asio: Boost 1.74 needs std::exchange declared
// clang-format on
#include <sys/resource.h>

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

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/http.h"
#include "spdlog/spdlog.h"

namespace awoooi::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kHeartbeat = std::chrono::seconds(15);
// accept() failing for want of descriptors or memory leaves the connection in the backlog, so
// the listening socket stays readable and an immediate retry fails again: wait, doubling.
constexpr auto kAcceptBackoffFirst = std::chrono::milliseconds(50);
constexpr auto kAcceptBackoffMax = std::chrono::milliseconds(1000);
// After refusing a request whose body was not read, keep reading (and discarding) it for a while
// (at most max_body_bytes) before closing: closing with unread input sends a reset, and a client
// still sending its body then fails on the send and never reads the answer.
constexpr auto kLingerTime = std::chrono::seconds(2);

std::string MakeRequestId(std::string_view given) {
  if (!given.empty() && given.size() <= 64) {
    bool ok = true;
    for (char c : given)
      ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
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

// The peer as the per-client cap sees it: an IPv4 address (also when it arrives IPv4-mapped on a
// dual-stack socket), or an IPv6 /64 — one host usually owns a whole /64, so counting single
// IPv6 addresses would cap nothing.
std::string ClientAddress(const net::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

std::string ClientKey(const net::ip::address& a) {
  if (a.is_v6() && !a.to_v6().is_v4_mapped() && !a.is_loopback()) {
    auto bytes = a.to_v6().to_bytes();
    for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
    return net::ip::address_v6(bytes).to_string() + "/64";
  }
  return ClientAddress(a);
}

bool IsLoopback(const net::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).is_loopback();
  return a.is_loopback();
}

// Counters behind HttpServerStats; relaxed atomics, read for /metrics.
struct Counters {
  std::atomic<int64_t> refused_server_full{0};
  std::atomic<int64_t> refused_per_client{0};
  std::atomic<int64_t> accept_errors{0};
  std::atomic<int64_t> refused_at_headers{0};
  std::atomic<int64_t> viewers_refused{0};
  std::atomic<int64_t> viewers_write_timeout{0};
  std::atomic<int64_t> viewers_backlog_cut{0};
};

class ServerImpl;

// A live event stream's place under the viewer caps; released when destroyed.
class ViewerSlot {
 public:
  ViewerSlot(ServerImpl& server, std::string key) : server_(server), key_(std::move(key)) {}
  ~ViewerSlot();
  ViewerSlot(const ViewerSlot&) = delete;
  ViewerSlot& operator=(const ViewerSlot&) = delete;

 private:
  ServerImpl& server_;
  std::string key_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerImpl& server, std::string remote, std::string client_key);
  ~Session();
  void Start();
  // Called on the strand.
  void WriteResponse(HttpResponse response, bool keep_alive, std::shared_ptr<HttpRequest> request,
                     Clock::time_point started);
  void BeginEvents(std::shared_ptr<HttpRequest> request, std::shared_ptr<ViewerSlot> slot);
  void Enqueue(std::string chunk);  // event stream output, on the strand
  void CloseNow();                  // on the strand
  void CloseAfterDrain();           // on the strand: end the event stream once queued events are written
  net::any_io_executor executor() { return stream_.get_executor(); }
  ServerImpl& server() { return server_; }
  std::atomic<bool> closed{false};

 private:
  void DoRead();
  void OnHeader(beast::error_code ec, std::size_t bytes);
  void ReadBody();
  void OnRead(beast::error_code ec, std::size_t bytes);
  std::shared_ptr<HttpRequest> MakeHead();
  void FailRequest(int status, std::string_view code, std::string_view message);
  void Linger();
  void LingerRead();
  void WriteNextEvent();
  void WatchWrite();
  void WatchForDisconnect();
  void ScheduleHeartbeat();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ServerImpl& server_;
  std::string remote_;
  std::string client_key_;             // empty when this connection is not under the per-client cap
  std::shared_ptr<HttpRequest> head_;  // the request whose headers were read (strand only)
  // Event-stream state (strand only).
  bool events_ = false;
  std::deque<std::string> out_;
  std::size_t out_offset_ = 0;  // bytes of out_.front() already written
  std::size_t out_bytes_ = 0;
  bool writing_ = false;
  bool close_after_drain_ = false;
  Clock::time_point last_progress_;  // last time the socket took bytes while writing_
  bool write_watch_armed_ = false;
  std::optional<net::steady_timer> write_timer_;
  std::optional<net::steady_timer> heartbeat_;
  std::shared_ptr<ViewerSlot> viewer_slot_;
  std::unique_ptr<char[]> linger_buf_;
  std::size_t linger_left_ = 0;
  char probe_[64];
};

class StreamImpl final : public EventStream {
 public:
  explicit StreamImpl(std::weak_ptr<Session> s) : session_(std::move(s)) {}
  bool Send(std::string_view event, std::string_view data, std::string_view id) override {
    auto s = session_.lock();
    if (!s || s->closed.load()) return false;
    std::string chunk = FormatServerSentEvent(event, data, id);
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
      : session_(std::move(s)), request_(std::move(r)), keep_alive_(keep_alive), started_(Clock::now()) {}
  ~ExchangeImpl() override {
    // A handler that dropped the exchange without answering still frees the connection.
    if (!answered_.exchange(true)) Post(ErrorResponse(absl::InternalError("the request was not answered")));
  }
  const HttpRequest& request() const override { return *request_; }
  void Respond(HttpResponse response) override {
    if (answered_.exchange(true)) return;
    Post(std::move(response));
  }
  std::shared_ptr<EventStream> StartEvents(std::string_view viewer_key) override;

 private:
  void Post(HttpResponse response) {
    auto s = session_;
    net::post(s->executor(), [s, response = std::move(response), ka = keep_alive_, r = request_,
                              t = started_]() mutable { s->WriteResponse(std::move(response), ka, r, t); });
  }
  std::shared_ptr<Session> session_;
  std::shared_ptr<HttpRequest> request_;
  bool keep_alive_;
  Clock::time_point started_;
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
    accept_timer_.emplace(*iocs_.front());
    max_connections_ = options_.max_connections;
  }

  ~ServerImpl() override {
    // Handlers still queued when the contexts stopped own sessions and viewer slots, whose
    // destructors update this object's maps: destroy the contexts while those maps exist.
    accept_timer_.reset();
    acceptor_.reset();
    work_.clear();
    iocs_.clear();
  }

  absl::Status Listen() override {
    ClampToDescriptorLimit();
    beast::error_code ec;
    auto addr = net::ip::make_address(options_.host, ec);
    if (ec)
      return absl::InvalidArgumentError(absl::StrCat("server.listen: bad address \"", options_.host, "\""));
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
      accept_timer_->cancel();
    });
    // Event streams and idle keep-alive connections end now; requests in flight get `grace_ms`.
    CloseSessions(/*only_idle=*/true);
    auto deadline = Clock::now() + std::chrono::milliseconds(grace_ms);
    auto timer = std::make_shared<net::steady_timer>(*iocs_.front());
    WaitForDrain(timer, deadline);
  }

  int64_t open_connections() const override { return connections_.load(); }
  int64_t max_connections() const override { return max_connections_.load(); }

  HttpServerStats stats() const override {
    HttpServerStats s;
    s.open_connections = connections_.load();
    {
      std::lock_guard<std::mutex> lock(mu_);
      s.event_viewers = viewers_;
    }
    s.max_connections = max_connections_.load();
    s.refused_server_full = counters_.refused_server_full.load();
    s.refused_per_client = counters_.refused_per_client.load();
    s.accept_errors = counters_.accept_errors.load();
    s.refused_at_headers = counters_.refused_at_headers.load();
    s.viewers_refused = counters_.viewers_refused.load();
    s.viewers_write_timeout = counters_.viewers_write_timeout.load();
    s.viewers_backlog_cut = counters_.viewers_backlog_cut.load();
    return s;
  }

  // One context, single-threaded: posted work runs in posting order (health updates must not
  // overtake each other).
  void Post(std::function<void()> fn) override { net::post(*iocs_.front(), std::move(fn)); }

  // Session bookkeeping.
  void Register(Session* s, std::weak_ptr<Session> w) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[s] = SessionState{std::move(w), false};
  }
  void Unregister(Session* s, const std::string& client_key) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.erase(s);
    if (!client_key.empty()) {
      auto it = per_client_.find(client_key);
      if (it != per_client_.end() && --it->second <= 0) per_client_.erase(it);
    }
  }
  void SetBusy(Session* s, bool busy) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(s);
    if (it != sessions_.end()) it->second.busy = busy;
    if (busy)
      ++in_flight_;
    else
      --in_flight_;
  }

  // A place under the viewer caps, or nullptr and the answer to give instead.
  std::shared_ptr<ViewerSlot> AcquireViewer(std::string_view key, HttpResponse* refusal) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (options_.max_event_viewers > 0 && viewers_ >= options_.max_event_viewers) {
        *refusal = ErrorResponse(503, "unavailable",
                                 absl::StrCat("the server already serves ", viewers_,
                                              " live event streams (its limit); try again later"));
      } else if (!key.empty() && options_.max_event_viewers_per_user > 0 &&
                 PerViewerLocked(key) >= options_.max_event_viewers_per_user) {
        *refusal = ErrorResponse(429, "too_many_streams",
                                 absl::StrCat("this user already has ", options_.max_event_viewers_per_user,
                                              " live event streams; close one first"));
        refusal->headers.emplace_back("Retry-After", "10");
      } else {
        ++viewers_;
        if (!key.empty()) ++viewers_per_key_[std::string(key)];
        return std::make_shared<ViewerSlot>(*this, std::string(key));
      }
    }
    ++counters_.viewers_refused;
    return nullptr;
  }
  void ReleaseViewer(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    --viewers_;
    if (key.empty()) return;
    auto it = viewers_per_key_.find(key);
    if (it != viewers_per_key_.end() && --it->second <= 0) viewers_per_key_.erase(it);
  }

  const HttpServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  void Observe(const HttpRequest& r, int status, double seconds) {
    if (observer_) observer_(r, status, seconds);
  }
  bool draining() const { return draining_.load(); }
  std::atomic<int64_t> connections_{0};
  Counters counters_;

 private:
  struct SessionState {
    std::weak_ptr<Session> session;
    bool busy;
  };

  int64_t PerViewerLocked(std::string_view key) const {
    auto it = viewers_per_key_.find(std::string(key));
    return it == viewers_per_key_.end() ? 0 : it->second;
  }

  // Each connection holds a descriptor: a cap above the descriptor limit would let accept() fail
  // with EMFILE instead, and take the store's and the log's descriptors with it.
  void ClampToDescriptorLimit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    if (options_.raise_fd_limit && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
      rlimit raised = rl;
      raised.rlim_cur = rl.rlim_max;
      // An unlimited hard limit still stops at the kernel's nr_open: try a large finite value then.
      if (setrlimit(RLIMIT_NOFILE, &raised) != 0 && rl.rlim_max == RLIM_INFINITY) {
        raised.rlim_cur = 1 << 20;
        (void)setrlimit(RLIMIT_NOFILE, &raised);
      }
      rlimit now{};
      if (getrlimit(RLIMIT_NOFILE, &now) == 0 && now.rlim_cur != rl.rlim_cur) {
        spdlog::info("raised the open-file limit (RLIMIT_NOFILE) from {} to {}",
                     static_cast<int64_t>(rl.rlim_cur),
                     now.rlim_cur == RLIM_INFINITY ? std::string("unlimited") : std::to_string(now.rlim_cur));
        rl = now;
      }
    }
    if (rl.rlim_cur == RLIM_INFINITY) return;
    int64_t limit = static_cast<int64_t>(rl.rlim_cur);
    int64_t reserve = std::max<int64_t>(0, options_.fd_reserve);
    int64_t usable = limit > 2 * reserve ? limit - reserve : limit / 2;
    usable = std::max<int64_t>(1, usable);
    if (usable < max_connections_.load()) {
      spdlog::warn(
          "server.max_connections {} lowered to {}: the process may open {} files (RLIMIT_NOFILE) and keeps "
          "{} for "
          "the store, logs and child processes; raise the limit (ulimit -n, LimitNOFILE=) to allow more",
          max_connections_.load(), usable, limit, limit - usable);
      max_connections_ = usable;
    }
  }

  void DoAccept() {
    acceptor_->async_accept(NextContext(), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor_->is_open()) return;
        ++counters_.accept_errors;
        // A connection that died in the backlog: the next one may be fine.
        if (ec == net::error::connection_aborted || ec == net::error::connection_reset ||
            ec == net::error::interrupted || ec == net::error::try_again || ec == net::error::would_block) {
          DoAccept();
          return;
        }
        // Out of descriptors (EMFILE, ENFILE), buffers or memory: keep serving the connections we
        // have and retry later. This thread also runs Post(): spinning here would starve it.
        accept_backoff_ = accept_backoff_.count() == 0 ? kAcceptBackoffFirst
                                                       : std::min(accept_backoff_ * 2, kAcceptBackoffMax);
        if (accept_backoff_ == kAcceptBackoffFirst) {
          spdlog::warn(
              "accept failed: {} ({} open connections); pausing new connections, retrying with backoff",
              ec.message(), connections_.load());
        }
        accept_timer_->expires_after(accept_backoff_);
        accept_timer_->async_wait([this](beast::error_code tec) {
          if (tec || !acceptor_->is_open()) return;
          DoAccept();
        });
        return;
      }
      if (accept_backoff_.count() != 0) {
        spdlog::info("accepting connections again ({} open)", connections_.load());
        accept_backoff_ = {};
      }
      Admit(std::move(socket));
      DoAccept();
    });
  }

  // On the acceptor's thread: the only place that adds connections, so the check and the count
  // cannot race upwards.
  void Admit(tcp::socket socket) {
    beast::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (ec || draining_.load()) {
      socket.close(ec);
      return;
    }
    if (connections_.load() >= max_connections_.load()) {
      ++counters_.refused_server_full;
      Refuse(socket, 503, "unavailable", "the server is at its connection limit; try again later");
      return;
    }
    std::string client_key;
    if (options_.max_connections_per_client > 0 &&
        !(options_.per_client_cap_exempts_loopback && IsLoopback(ep.address()))) {
      client_key = ClientKey(ep.address());
      bool full = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        int64_t& n = per_client_[client_key];
        full = n >= options_.max_connections_per_client;
        if (!full) ++n;
      }
      if (full) {
        ++counters_.refused_per_client;
        Refuse(socket, 429, "too_many_connections",
               absl::StrCat("this address already has ", options_.max_connections_per_client,
                            " open connections"));
        return;
      }
    }
    std::make_shared<Session>(std::move(socket), *this, ClientAddress(ep.address()), std::move(client_key))
        ->Start();
  }

  // Best effort and never blocking: a fresh socket's send buffer is empty, so a short answer fits.
  // Input already received is read first, so the close does not reset the answer away.
  static void Refuse(tcp::socket& socket, int status, std::string_view code, std::string_view message) {
    beast::error_code ec;
    socket.non_blocking(true, ec);
    char sink[4096];
    for (int i = 0; i < 16 && !ec; ++i) {
      if (socket.read_some(net::buffer(sink), ec) == 0) break;
    }
    HttpResponse r = ErrorResponse(status, code, message);
    std::string text = absl::StrCat(
        "HTTP/1.1 ", status, status == 429 ? " Too Many Requests" : " Service Unavailable",
        "\r\nServer: awoooi\r\nContent-Type: application/json\r\nContent-Length: ", r.body.size(),
        "\r\nRetry-After: ", status == 429 ? "10" : "1", "\r\nConnection: close\r\n\r\n", r.body);
    ec = {};
    socket.write_some(net::buffer(text), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
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

  void WaitForDrain(std::shared_ptr<net::steady_timer> timer, Clock::time_point deadline) {
    int64_t busy;
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy = in_flight_;
    }
    if (busy <= 0 || Clock::now() >= deadline) {
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
  std::optional<net::steady_timer> accept_timer_;  // acceptor's thread only
  std::chrono::milliseconds accept_backoff_{0};    // acceptor's thread only
  std::atomic<int64_t> max_connections_{0};
  std::atomic<size_t> next_{0};
  uint16_t port_ = 0;
  std::atomic<bool> draining_{false};
  mutable std::mutex mu_;
  std::unordered_map<Session*, SessionState> sessions_;        // guarded by mu_
  int64_t in_flight_ = 0;                                      // guarded by mu_
  absl::flat_hash_map<std::string, int64_t> per_client_;       // guarded by mu_
  int64_t viewers_ = 0;                                        // guarded by mu_
  absl::flat_hash_map<std::string, int64_t> viewers_per_key_;  // guarded by mu_
};

ViewerSlot::~ViewerSlot() { server_.ReleaseViewer(key_); }

std::shared_ptr<EventStream> ExchangeImpl::StartEvents(std::string_view viewer_key) {
  if (answered_.exchange(true)) return nullptr;
  HttpResponse refusal;
  auto slot = session_->server().AcquireViewer(viewer_key, &refusal);
  if (!slot) {
    Post(std::move(refusal));
    return nullptr;
  }
  auto s = session_;
  auto r = request_;
  net::post(s->executor(), [s, r, slot = std::move(slot)]() mutable { s->BeginEvents(r, std::move(slot)); });
  return std::make_shared<StreamImpl>(s);
}

Session::Session(tcp::socket socket, ServerImpl& server, std::string remote, std::string client_key)
    : stream_(std::move(socket)),
      server_(server),
      remote_(std::move(remote)),
      client_key_(std::move(client_key)) {
  ++server_.connections_;
}

Session::~Session() {
  --server_.connections_;
  server_.Unregister(this, client_key_);
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
  head_.reset();
  parser_.emplace();
  parser_->body_limit(static_cast<std::uint64_t>(server_.options().max_body_bytes));
  parser_->header_limit(static_cast<std::uint32_t>(server_.options().max_header_bytes));
  stream_.expires_after(std::chrono::milliseconds(server_.options().request_timeout_ms));
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

std::shared_ptr<HttpRequest> Session::MakeHead() {
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
  req->remote = remote_;
  req->request_id = MakeRequestId(req->Header("x-request-id"));
  return req;
}

void Session::OnHeader(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    OnRead(ec, bytes);
    return;
  }
  head_ = MakeHead();
  if (const HeaderHook& hook = server_.options().on_headers) {
    std::optional<uint64_t> length;
    if (auto cl = parser_->content_length()) {
      length = *cl;
    } else if (!parser_->chunked()) {
      length = 0;
    }
    std::optional<HttpResponse> early;
    try {
      early = hook(*head_, length);
    } catch (const std::exception&) {
      early = ErrorResponse(absl::InternalError("internal error"));
    }
    if (early) {
      // Answered from the headers alone: the body is never read, so the connection cannot be
      // reused (Linger() drains what the client already sent so the answer reaches it).
      ++server_.counters_.refused_at_headers;
      server_.SetBusy(this, true);
      WriteResponse(std::move(*early), /*keep_alive=*/false, head_, Clock::now());
      return;
    }
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
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::OnRead, shared_from_this()));
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
  auto req = head_ ? std::move(head_) : MakeHead();
  req->body = std::move(msg.body());
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
  WriteResponse(ErrorResponse(status, code, message), /*keep_alive=*/false, req, Clock::now());
}

void Session::WriteResponse(HttpResponse response, bool keep_alive, std::shared_ptr<HttpRequest> request,
                            Clock::time_point started) {
  if (closed.load()) {
    server_.SetBusy(this, false);
    return;
  }
  keep_alive = keep_alive && !server_.draining();
  auto res =
      std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
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
                    [self = shared_from_this(), res, keep_alive, request, started, status](
                        beast::error_code ec, std::size_t) {
                      double secs = std::chrono::duration<double>(Clock::now() - started).count();
                      self->server_.Observe(*request, status, secs);
                      self->server_.SetBusy(self.get(), false);
                      if (ec) {
                        self->CloseNow();
                        return;
                      }
                      if (!keep_alive) {
                        // Input left unread (a refused body, a broken request) would turn the close
                        // into a reset that can destroy the answer in the client's buffers.
                        if (self->parser_ && !self->parser_->is_done()) {
                          self->Linger();
                        } else {
                          self->CloseNow();
                        }
                        return;
                      }
                      self->DoRead();
                    });
}

void Session::Linger() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    CloseNow();
    return;
  }
  linger_left_ = static_cast<std::size_t>(std::max<int64_t>(64 << 10, server_.options().max_body_bytes));
  linger_buf_ = std::make_unique<char[]>(16 << 10);
  stream_.expires_after(kLingerTime);
  LingerRead();
}

void Session::LingerRead() {
  stream_.async_read_some(net::buffer(linger_buf_.get(), 16 << 10),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec || self->closed.load() || n >= self->linger_left_) {
                              self->CloseNow();
                              return;
                            }
                            self->linger_left_ -= n;
                            self->LingerRead();
                          });
}

void Session::BeginEvents(std::shared_ptr<HttpRequest> request, std::shared_ptr<ViewerSlot> slot) {
  server_.SetBusy(this, false);  // a stream is not a request in flight: shutdown closes it
  server_.Observe(*request, 200, 0);
  if (closed.load()) return;  // the slot is released as it goes out of scope
  viewer_slot_ = std::move(slot);
  events_ = true;
  stream_.expires_never();
  Enqueue(
      absl::StrCat("HTTP/1.1 200 OK\r\nServer: awoooi\r\nContent-Type: text/event-stream\r\n"
                   "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\nX-Request-Id: ",
                   request->request_id, "\r\nConnection: close\r\n\r\n: stream open\n\n"));
  WatchForDisconnect();
  ScheduleHeartbeat();
}

void Session::Enqueue(std::string chunk) {
  if (closed.load()) return;
  out_bytes_ += chunk.size();
  out_.push_back(std::move(chunk));
  if (out_bytes_ >
      static_cast<std::size_t>(std::max<int64_t>(0, server_.options().max_event_backlog_bytes))) {
    ++server_.counters_.viewers_backlog_cut;
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
  if (!writing_) last_progress_ = Clock::now();  // the stall clock starts when output waits
  writing_ = true;
  WatchWrite();
  const std::string& front = out_.front();
  // write_some, not write: every byte the socket takes is progress for the write timeout.
  stream_.socket().async_write_some(net::buffer(front.data() + out_offset_, front.size() - out_offset_),
                                    [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                      if (ec || self->closed.load()) {
                                        self->CloseNow();
                                        return;
                                      }
                                      self->last_progress_ = Clock::now();
                                      self->out_offset_ += n;
                                      self->out_bytes_ -= n;
                                      if (self->out_offset_ >= self->out_.front().size()) {
                                        self->out_.pop_front();
                                        self->out_offset_ = 0;
                                      }
                                      self->WriteNextEvent();
                                    });
}

void Session::WatchWrite() {
  // One timer per stream, armed only while output waits: it fires at the earliest moment the
  // stall could reach the limit and re-arms itself for the rest when the socket made progress.
  if (write_watch_armed_) return;
  auto timeout = std::chrono::milliseconds(std::max<int64_t>(1, server_.options().event_write_timeout_ms));
  if (!write_timer_) write_timer_.emplace(stream_.get_executor());
  write_watch_armed_ = true;
  write_timer_->expires_at(last_progress_ + timeout);
  write_timer_->async_wait([self = shared_from_this(), timeout](beast::error_code ec) {
    self->write_watch_armed_ = false;
    if (ec || self->closed.load() || !self->writing_) return;
    if (Clock::now() - self->last_progress_ >= timeout) {
      ++self->server_.counters_.viewers_write_timeout;
      self->CloseNow();
      return;
    }
    self->WatchWrite();
  });
}

void Session::WatchForDisconnect() {
  // Event-stream clients send nothing; a read completing means they closed (or misbehave).
  stream_.socket().async_read_some(net::buffer(probe_),
                                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
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
  if (write_timer_) write_timer_->cancel();
  viewer_slot_.reset();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

}  // namespace

std::unique_ptr<HttpServer> HttpServer::Create(HttpServerOptions options, Handler handler,
                                               RequestObserver observer) {
  return std::make_unique<ServerImpl>(std::move(options), std::move(handler), std::move(observer));
}

}  // namespace awoooi::server
