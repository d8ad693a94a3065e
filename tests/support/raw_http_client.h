// RawHttp: one HTTP/1.1 request on its own connection, the bytes exactly as given, and the answer
// as it came off the socket (status, headers, body bytes undecoded): for tests that send what a
// library client would not (hostile bytes, HEAD) or must see the wire (gzip, no body). A stream
// (text/event-stream) is answered by its headers. Test thread only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace xyd::test {

struct RawReply {
  int status = 0;  // 0: no answer
  std::string content_type;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // the bytes after the head, as sent
  std::string header(const std::string& lower_case_name) const;
};

// `body` nullopt sends none.
RawReply exchange(int port, const std::string& method, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::optional<std::string>& body);

}  // namespace xyd::test
