// RawHttpServer: a hostile or broken webhook receiver on plain sockets, for the tests of the
// webhook client: by path, it answers a status (/status/<code>), a 400 MB body (/huge, sent until
// the client stops reading or closes), or nothing at all (/silent, until the client gives up).
// It counts requests and the bytes each /huge answer got out, and keeps the last request's bytes.
// One accept thread plus one thread per connection; the test thread reads the counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xyd::test {

class RawHttpServer {
 public:
  RawHttpServer();  // listens on 127.0.0.1, on a port the kernel chooses
  ~RawHttpServer();
  int port() const { return port_; }
  std::string url(const std::string& path) const;
  int requests(const std::string& path) const;
  // The bytes the largest /huge answer got out (head and body) before the client stopped it.
  int64_t huge_bytes_sent() const { return huge_sent_; }
  std::string last_request() const;

  static constexpr int64_t kHugeBody = 400LL << 20;

 private:
  void accept_loop();
  void serve(int fd);
  int port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> huge_sent_{0};
  mutable std::mutex mutex_;  // guards requests_, last_request_, workers_
  std::map<std::string, int> requests_;
  std::string last_request_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

// Binds the socket `fd` to 127.0.0.1 on a port the kernel chooses; the port (throws when it cannot).
int bind_loopback(int fd);
// A loopback port nothing listens on: one the kernel chose for a socket that was then closed.
int closed_port();

}  // namespace xyd::test
