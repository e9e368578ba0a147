// A tiny HTTP/1.1 server on its own thread for /metrics and /healthz: one
// connection at a time, GET only, one request per connection, bounded reads
// with a timeout, so a slow or hostile scraper costs at most a few seconds
// of this thread and never touches the gRPC server.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace gongkai::service {

struct HttpResponse {
  int status = 200;  // 200, 404, 405, 503, ...
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  // Called with the request's path (without query) on the server's thread.
  using Handler = std::function<HttpResponse(const std::string& path)>;

  explicit HttpServer(Handler handler) : handler_(std::move(handler)) {}
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds "host:port" (port 0: a free one; host may be an IPv4 or IPv6
  // literal, a name, or empty / "*" / "0.0.0.0" for every address) and
  // starts serving.
  absl::Status Start(const std::string& listen);
  // Closes the listening socket and joins the thread.
  void Stop();

  int port() const { return port_; }

 private:
  void Run();
  void Serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // written by Stop() to end poll()
  int port_ = 0;
  std::thread thread_;
};

}  // namespace gongkai::service
