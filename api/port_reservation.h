// PortReservation: a free TCP port the kernel chose for a listening address with port 0
// ("http://127.0.0.1:0"), held by a bound socket that does not listen (SO_REUSEADDR) until the
// reservation is destroyed: a listener that also sets SO_REUSEADDR (cpprestsdk's does) can bind the
// same port meanwhile, and no other socket gets it. Owned by the thread that starts the server.
#pragma once

#include <memory>
#include <string>

#include "events/result.h"

namespace xyd::api {

class PortReservation {
 public:
  // A reservation when `address` (scheme://host:port[/path]) names port 0; nullptr for any other
  // port; an error when its host cannot be bound.
  static Result<std::unique_ptr<PortReservation>> reserve_if_any(const std::string& address);
  ~PortReservation();
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;

  int port() const { return port_; }
  // The address with the chosen port in place of 0.
  const std::string& address() const { return address_; }

 private:
  PortReservation(int fd, int port, std::string address) : fd_(fd), port_(port), address_(std::move(address)) {}
  int fd_;
  int port_;
  std::string address_;
};

}  // namespace xyd::api
