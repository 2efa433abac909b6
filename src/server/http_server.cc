#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/json_text.h"
#include "common/thread_name.h"
#include "server/internal/errors.h"

namespace finbrain::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Session;

// Live sessions, so that shutdown can reach idle keep-alive connections.
class SessionRegistry {
 public:
  void Add(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mu_);
    weak_.emplace(s.get(), s);
  }
  void Remove(Session* s) {
    std::lock_guard lock(mu_);
    weak_.erase(s);
  }
  std::vector<std::shared_ptr<Session>> Snapshot() {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<Session>> out;
    for (auto& [ptr, weak] : weak_) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> weak_;
};

struct Shared {
  HttpServerOptions options;
  RequestHandler handler;
  SessionRegistry registry;
  std::atomic<bool> shutting_down{false};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {}

  ~Session() { shared_->registry.Remove(this); }

  void Start() {
    shared_->registry.Add(shared_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Runs on any thread: hops onto the session's strand.
  void BeginShutdown() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->Close();
    });
  }

 private:
  void Read() {
    if (closing_ || shared_->shutting_down) return Close();
    parser_.emplace();
    body_limit_ = shared_->options.max_body_bytes;
    parser_->body_limit(body_limit_);
    parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
    stream_.expires_after(shared_->options.request_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  // The body limit depends on the target: uploads get a larger one.
  void OnHeader(beast::error_code ec) {
    if (ec) return OnRead(ec);
    const auto target = parser_->get().target();
    const std::string_view path(target.data(), target.size());
    for (const std::string& prefix : shared_->options.upload_prefixes) {
      if (path.starts_with(prefix)) {
        body_limit_ = std::max(body_limit_, shared_->options.max_upload_bytes);
        parser_->body_limit(body_limit_);
      }
    }
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code e, size_t) { self->OnRead(e); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset || closing_) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return WriteError(413, "payload_too_large",
                        "request body exceeds " + std::to_string(body_limit_) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return WriteError(
          431, "header_too_large",
          "request headers exceed " + std::to_string(shared_->options.max_header_bytes) + " bytes");
    }
    if (ec) return WriteError(400, "bad_request", "malformed HTTP request: " + ec.message());

    http::request<http::string_body> request = parser_->release();
    keep_alive_ = request.keep_alive();
    HttpRequest req;
    req.method = std::string(request.method_string());
    const std::string_view target(request.target().data(), request.target().size());
    const size_t question = target.find('?');
    req.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) req.query = std::string(target.substr(question + 1));
    req.authorization = std::string(request[http::field::authorization]);
    req.content_type = std::string(request[http::field::content_type]);
    req.body = std::move(request.body());

    busy_ = true;
    stream_.expires_never();
    // The work guard keeps the I/O threads alive while a handler completes elsewhere (e.g. on
    // the commit thread), so graceful shutdown waits for it.
    auto responder = [self = shared_from_this(),
                      work = asio::make_work_guard(stream_.get_executor())](HttpResponse response) {
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    };
    try {
      shared_->handler(std::move(req), std::move(responder));
    } catch (const std::exception& e) {
      // Handlers report errors as values; this is a last line of defence.
      spdlog::error("handler threw: {}", e.what());
      WriteError(500, "internal", "internal error");
    }
  }

  void WriteError(int status, std::string_view code, std::string_view message) {
    boost::json::object error{{"code", code}, {"message", message}};
    HttpResponse response = JsonResponse(status, ToJsonText(boost::json::object{{"error", error}}));
    keep_alive_ = false;  // the connection state is unknown after a protocol error
    linger_ = true;
    busy_ = true;
    Write(std::move(response));
  }

  void Write(HttpResponse response) {
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    message->set(http::field::server, "finbrain");
    if (!response.body.empty() || response.status != 204) {
      message->set(http::field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    const bool keep = keep_alive_ && !closing_ && !shared_->shutting_down;
    message->keep_alive(keep);
    message->prepare_payload();
    stream_.expires_after(shared_->options.request_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, keep](beast::error_code ec, size_t) {
                        self->busy_ = false;
                        if (ec || !keep) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!linger_) {
      stream_.socket().close(ignored);
      return;
    }
    // After an error answer the client may still be sending (a body over the limit). Closing
    // with unread input would reset the connection and could destroy the answer in flight, so
    // read and discard until the client closes or a short deadline passes.
    stream_.expires_after(std::chrono::seconds(2));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) {
                                beast::error_code ignored;
                                self->stream_.socket().close(ignored);
                                return;
                              }
                              self->Drain();
                            });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  size_t body_limit_ = 0;  // of the request being read
  bool busy_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool linger_ = false;
  std::array<char, 4096> drain_buffer_;
};

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& options, RequestHandler handler)
      : contexts_(MakeContexts(options.io_threads)),
        acceptor_(*contexts_[0]),
        shared_(std::make_shared<Shared>()),
        grace_timer_(*contexts_[0]) {
    shared_->options = options;
    shared_->handler = std::move(handler);
  }

  ~BeastServer() override {
    Shutdown(std::chrono::milliseconds(0));
    Wait();
  }

  Status Listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(shared_->options.host, ec);
    if (ec)
      return InvalidArgumentError("bad listen host '" + shared_->options.host + "'", "listen");
    const tcp::endpoint endpoint(address, shared_->options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return UnavailableError("cannot listen on " + shared_->options.host + ":" +
                              std::to_string(shared_->options.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (auto& context : contexts_) {
      // A context without connections yet must not run out of work and return.
      idle_guards_.push_back(asio::make_work_guard(*context));
      threads_.emplace_back([context = context.get(), n = threads_.size()] {
        SetThreadName("fb-http-" + std::to_string(n));
        context->run();
      });
    }
    return OkStatus();
  }

  std::uint16_t port() const override { return port_; }

  void Shutdown(std::chrono::milliseconds grace) override {
    if (shared_->shutting_down.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
    for (auto& session : shared_->registry.Snapshot()) session->BeginShutdown();
    for (auto& guard : idle_guards_) guard.reset();
    // Requests still running after the grace period are cut off.
    grace_timer_.expires_after(grace);
    grace_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) StopAll();
    });
    // The timer itself must not keep the server alive once all sessions are done.
    watcher_ = std::thread([this] {
      while (!shared_->registry.Snapshot().empty() && !contexts_[0]->stopped()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      asio::post(*contexts_[0], [this] { grace_timer_.cancel(); });
    });
  }

  void Wait() override {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    if (watcher_.joinable()) watcher_.join();
  }

 private:
  // One io_context per thread, each run by one thread: a connection's handlers never need a
  // strand, and an answer posted from the commit thread wakes only its own thread (with one
  // shared context, asio handed work between its threads at a few context switches a request).
  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int threads) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int i = 0; i < std::max(1, threads); ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    return contexts;
  }

  void StopAll() {
    for (auto& context : contexts_) context->stop();
  }

  void Accept() {
    asio::io_context& next = *contexts_[next_context_++ % contexts_.size()];
    acceptor_.async_accept(next, [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted && acceptor_.is_open()) Accept();
        return;
      }
      if (shared_->shutting_down) return;
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), shared_)->Start();
      Accept();
    });
  }

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> idle_guards_;
  size_t next_context_ = 0;  // round-robin; touched by the accept handler only
  tcp::acceptor acceptor_;
  std::shared_ptr<Shared> shared_;
  asio::steady_timer grace_timer_;
  std::vector<std::thread> threads_;
  std::thread watcher_;
  std::uint16_t port_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                        RequestHandler handler) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler));
  FB_RETURN_IF_ERROR(server->Listen());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace finbrain::server
