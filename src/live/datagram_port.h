// Where live mode's datagrams come from and go to: a TUN device in use, an in-process fake in
// tests. One datagram per read and per write, as IFF_TUN | IFF_NO_PI gives them.
#ifndef LLMSTACK_LIVE_DATAGRAM_PORT_H_
#define LLMSTACK_LIVE_DATAGRAM_PORT_H_

#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"

namespace llmstack {

class DatagramPort {
 public:
  virtual ~DatagramPort() = default;
  // Waits up to `timeout_ms` for a datagram; false on timeout or when a signal arrives.
  virtual bool WaitReadable(int timeout_ms) = 0;
  // One datagram; nullopt when none is waiting. Errors: kIoError (the device went away).
  virtual Result<std::optional<Bytes>> Read() = 0;
  // Errors: kIoError (the kernel refused the bytes).
  virtual Status Write(ByteView datagram) = 0;
  virtual const std::string& name() const = 0;
};

}  // namespace llmstack

#endif  // LLMSTACK_LIVE_DATAGRAM_PORT_H_
