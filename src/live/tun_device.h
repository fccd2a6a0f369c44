// TUN devices (Linux Documentation/networking/tuntap.rst): a virtual interface whose far side is
// a file descriptor. The kernel's routing sends datagrams for the device's subnet there; what
// this process writes back arrives as if received from the wire. Opened with IFF_TUN |
// IFF_NO_PI, so every read and write is exactly one IP datagram with no packet-information
// header in front.
#ifndef LLMSTACK_LIVE_TUN_DEVICE_H_
#define LLMSTACK_LIVE_TUN_DEVICE_H_

#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/status.h"
#include "live/datagram_port.h"
#include "packet/ip.h"

namespace llmstack {

inline constexpr const char* kTunClonePath = "/dev/net/tun";

// The host side's address on the device, from `--addr 10.99.0.1/24` or `2001:db8::1/64`.
struct InterfaceAddress {
  IpFamily family = IpFamily::kIpv4;
  Bytes address;  // 4 or 16 bytes
  int prefix_length = 0;
  std::string text;  // as given, e.g. "10.99.0.1/24"

  // "10.99.0.0/24"
  std::string Subnet() const;
  // Another address in the subnet that a user can ping: the host's address plus one, or
  // minus one when that would be the last address (IPv4 broadcast) or leave the subnet.
  std::string PeerExample() const;
};

// Parses an address with its prefix length. Errors: kInvalidArgument naming the problem
// (no "/PREFIX", not an address, a prefix out of range, a /32 or /128 that leaves no other
// address to ping).
Result<InterfaceAddress> ParseInterfaceAddress(const std::string& cidr);

// What was being done when the device could not be set up; chooses the advice given.
enum class TunStep { kOpenClone, kAttach, kAddress, kLinkUp };

// The message for a failure of `step` with `error` (an errno value): what went wrong and what
// to do about it: root or CAP_NET_ADMIN, the tun driver, a device held by another process,
// a name taken by another kind of interface.
std::string TunErrorMessage(TunStep step, int error, const std::string& name,
                            const std::string& detail);

class TunDevice : public DatagramPort {
 public:
  // Attaches to the TUN device `name`, creating it when it does not exist (a device created
  // here goes away when it is closed; a persistent one stays). `name` may hold "%d" for the
  // kernel to choose a number. The descriptor is non-blocking. `clone_path` is the clone device
  // (tests point it elsewhere). Errors: kInvalidArgument for a bad name; kIoError with
  // TunErrorMessage.
  static Result<TunDevice> Open(const std::string& name,
                                const std::string& clone_path = kTunClonePath);

  TunDevice(TunDevice&& other) noexcept;
  TunDevice& operator=(TunDevice&&) = delete;
  TunDevice(const TunDevice&) = delete;
  ~TunDevice();  // closes

  // Gives the host side `address` (with its prefix, so the kernel routes the subnet to the
  // device) and brings the link up. Errors: kIoError with TunErrorMessage.
  Status Configure(const InterfaceAddress& address);

  // The host side's address as configured outside this tool: the IPv4 address, else the first
  // global IPv6 address (from /proc/net/if_inet6); nullopt when it has none.
  std::optional<InterfaceAddress> HostAddress() const;
  // Whether the link is administratively up.
  bool IsUp() const;

  // Waits up to `timeout_ms` for a datagram (or an error for Read() to report). Returns early,
  // false, when a signal arrives.
  bool WaitReadable(int timeout_ms) override;
  // Reads one datagram; nullopt when none is waiting. Errors: kIoError, e.g. when the device
  // was deleted under it.
  Result<std::optional<Bytes>> Read() override;
  // Writes one datagram. Errors: kIoError, e.g. EINVAL when the kernel refuses the bytes
  // (the first nibble is neither 4 nor 6).
  Status Write(ByteView datagram) override;

  // Closes the descriptor (a device created here disappears). Idempotent.
  void Close();

  const std::string& name() const override { return name_; }
  bool created() const { return created_; }

 private:
  TunDevice(int fd, std::string name, bool created)
      : fd_(fd), name_(std::move(name)), created_(created) {}

  int fd_ = -1;
  std::string name_;
  bool created_ = false;
};

}  // namespace llmstack

#endif  // LLMSTACK_LIVE_TUN_DEVICE_H_
