// RequestObserver: what the HTTP server calls around each request it dispatches: started() before
// routing (it may set the request's id), finished() once the answer is known (it may add headers;
// it logs and counts). Called on cpprestsdk's request threads: implementations are thread-safe.
#pragma once

#include <chrono>

#include "api/router.h"

namespace xyd::api {

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void started(Request& request) = 0;
  virtual void finished(const Request& request, Response& response, std::chrono::steady_clock::duration elapsed) = 0;
};

}  // namespace xyd::api
