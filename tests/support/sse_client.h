// SseClient: a Server-Sent Events client for end-to-end tests: a plain HTTP/1.1 GET over a socket,
// the chunked body decoded and split into events (id, event, data) on a reader thread of its own,
// each stamped with when it arrived. Created and read by the test thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xyd::test {

// One event of the stream, with when it arrived (plain value).
struct SseEvent {
  std::string id, event, data;
  std::chrono::steady_clock::time_point received;
};

class SseClient {
 public:
  // Connects to 127.0.0.1:`port` and sends GET `path` with the headers; status() is 0 if that failed.
  SseClient(int port, const std::string& path, const std::map<std::string, std::string>& headers);
  ~SseClient();  // closes the connection

  int status() const { return status_; }
  std::string content_type() const { return content_type_; }
  // Waits until some received event satisfies `match`, or `timeout`; a copy of it, or nullptr.
  std::unique_ptr<SseEvent> wait_for(const std::function<bool(const SseEvent&)>& match,
                                     std::chrono::milliseconds timeout);
  // Waits until at least `count` events have arrived, or `timeout`.
  void wait_count(size_t count, std::chrono::milliseconds timeout);
  std::vector<SseEvent> events() const;
  size_t comments() const;  // heartbeat comment lines received
  // Waits until the server ended the body (or closed the connection), or `timeout`; whether it did.
  bool wait_ended(std::chrono::milliseconds timeout);

 private:
  void read_loop();
  void parse(const std::string& text);

  int fd_ = -1;
  int status_ = 0;
  std::string content_type_;
  std::string pending_;  // body bytes not yet split into events
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<SseEvent> events_;
  size_t comments_ = 0;
  bool ended_ = false;
  std::thread reader_;
};

}  // namespace xyd::test
