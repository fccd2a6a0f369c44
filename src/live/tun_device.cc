#include "live/tun_device.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/ipv6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

namespace llmstack {

namespace {

// The largest datagram IPv4 or IPv6 (without jumbograms) can carry, plus room to notice more.
constexpr size_t kReadBuffer = 65536 + 64;

bool PrefixBit(const Bytes& a, int bit) { return (a[bit / 8] >> (7 - bit % 8)) & 1; }

// Whether every host bit (after the prefix) is `value`.
bool HostBitsAre(const Bytes& a, int prefix, bool value) {
  for (int bit = prefix; bit < static_cast<int>(a.size() * 8); ++bit) {
    if (PrefixBit(a, bit) != value) return false;
  }
  return true;
}

bool SamePrefix(const Bytes& a, const Bytes& b, int prefix) {
  for (int bit = 0; bit < prefix; ++bit) {
    if (PrefixBit(a, bit) != PrefixBit(b, bit)) return false;
  }
  return true;
}

// `a` plus `delta` (+1 or -1), wrapping around.
Bytes Step(Bytes a, int delta) {
  for (size_t i = a.size(); i-- > 0;) {
    if (delta > 0) {
      if (++a[i] != 0) break;
    } else {
      if (a[i]-- != 0) break;
    }
  }
  return a;
}

// An address of the subnet that is neither the network's own address (all host bits 0) nor,
// for IPv4 subnets larger than /31, the broadcast address (RFC 919; RFC 3021 for /31).
bool UsablePeer(const InterfaceAddress& self, const Bytes& candidate) {
  if (candidate == self.address || !SamePrefix(candidate, self.address, self.prefix_length)) {
    return false;
  }
  bool small =
      self.family == IpFamily::kIpv4 ? self.prefix_length >= 31 : self.prefix_length >= 127;
  if (small) return true;
  if (HostBitsAre(candidate, self.prefix_length, false)) return false;
  return self.family == IpFamily::kIpv6 || !HostBitsAre(candidate, self.prefix_length, true);
}

std::string ErrnoText(int error) { return std::strerror(error); }

constexpr const char* kNeedsAdmin =
    "live mode needs root or CAP_NET_ADMIN: run it with sudo, or give the binary the "
    "capability (sudo setcap cap_net_admin+ep $(command -v llmstack-replay))";

constexpr const char* kNeedsAdminOrOwner =
    "live mode needs root or CAP_NET_ADMIN: run it with sudo, give the binary the capability "
    "(sudo setcap cap_net_admin+ep $(command -v llmstack-replay)), or use a persistent device "
    "you own";

}  // namespace

std::string InterfaceAddress::Subnet() const {
  Bytes network = address;
  for (int bit = prefix_length; bit < static_cast<int>(network.size() * 8); ++bit) {
    network[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  return FormatAddress(network) + "/" + std::to_string(prefix_length);
}

std::string InterfaceAddress::PeerExample() const {
  Bytes up = Step(address, +1);
  if (UsablePeer(*this, up)) return FormatAddress(up);
  Bytes down = Step(address, -1);
  if (UsablePeer(*this, down)) return FormatAddress(down);
  return "";
}

Result<InterfaceAddress> ParseInterfaceAddress(const std::string& cidr) {
  size_t slash = cidr.find('/');
  if (slash == std::string::npos) {
    return InvalidArgument("--addr " + cidr +
                           ": give the host side's address with its prefix length, e.g. "
                           "10.99.0.1/24");
  }
  std::string host = cidr.substr(0, slash), prefix = cidr.substr(slash + 1);
  InterfaceAddress a;
  a.text = cidr;
  uint8_t raw[16];
  if (inet_pton(AF_INET, host.c_str(), raw) == 1) {
    a.family = IpFamily::kIpv4;
    a.address.assign(raw, raw + 4);
  } else if (inet_pton(AF_INET6, host.c_str(), raw) == 1) {
    a.family = IpFamily::kIpv6;
    a.address.assign(raw, raw + 16);
  } else {
    return InvalidArgument("--addr " + cidr + ": " + host + " is not an IPv4 or IPv6 address");
  }
  const int max = static_cast<int>(a.address.size() * 8);
  bool digits = !prefix.empty() && prefix.size() <= 3 &&
                prefix.find_first_not_of("0123456789") == std::string::npos;
  a.prefix_length = digits ? std::stoi(prefix) : -1;
  if (a.prefix_length < 1 || a.prefix_length > max) {
    return InvalidArgument("--addr " + cidr + ": the prefix length must be 1 to " +
                           std::to_string(max));
  }
  if (a.PeerExample().empty()) {
    return InvalidArgument("--addr " + cidr + ": /" + prefix +
                           " leaves no other address in the subnet to ping; use a shorter "
                           "prefix, e.g. /24");
  }
  return a;
}

std::string TunErrorMessage(TunStep step, int error, const std::string& name,
                            const std::string& detail) {
  const std::string why = ErrnoText(error);
  const bool denied = error == EPERM || error == EACCES;
  switch (step) {
    case TunStep::kOpenClone:
      if (denied) return "cannot open " + detail + ": " + why + "; " + kNeedsAdmin;
      if (error == ENOENT || error == ENODEV || error == ENXIO) {
        return "cannot open " + detail + ": " + why +
               "; the kernel's TUN driver is not available: load it (sudo modprobe tun) or, in "
               "a container, pass the device in (docker run --device /dev/net/tun "
               "--cap-add NET_ADMIN)";
      }
      return "cannot open " + detail + ": " + why;
    case TunStep::kAttach:
      if (denied) {
        return "cannot create or open TUN device " + name + ": " + why + "; " + kNeedsAdminOrOwner +
               " (sudo ip tuntap add dev " + name + " mode tun user $USER)";
      }
      if (error == EBUSY) {
        return "TUN device " + name +
               " is busy: another process has it open (another llmstack-replay live?); stop "
               "that process or choose another --tun name";
      }
      if (error == EINVAL) {
        return "cannot open " + name + " as a TUN device: " + why + "; " + name +
               " exists and is not a single-queue TUN device (a TAP device or another kind "
               "of interface): choose another --tun name";
      }
      return "cannot create or open TUN device " + name + ": " + why;
    case TunStep::kAddress:
      if (denied) {
        return "cannot give " + name + " the address " + detail + ": " + why +
               "; --addr needs root or CAP_NET_ADMIN (or leave --addr out and configure the "
               "device yourself: sudo ip addr add " +
               detail + " dev " + name + " && sudo ip link set " + name + " up)";
      }
      return "cannot give " + name + " the address " + detail + ": " + why;
    case TunStep::kLinkUp:
      if (denied) {
        return "cannot bring " + name + " up: " + why + "; --addr needs root or CAP_NET_ADMIN";
      }
      return "cannot bring " + name + " up: " + why;
  }
  return why;
}

Result<TunDevice> TunDevice::Open(const std::string& name, const std::string& clone_path) {
  if (name.empty() || name.size() >= IFNAMSIZ ||
      name.find_first_of("/: \t\n") != std::string::npos) {
    return InvalidArgument("--tun " + name + ": not a device name (1 to " +
                           std::to_string(IFNAMSIZ - 1) + " characters, no '/', ':' or blanks)");
  }
  int fd = open(clone_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return IoError(TunErrorMessage(TunStep::kOpenClone, errno, name, clone_path));
  // Whether the device exists already decides whether closing it removes it.
  struct ifreq probe {};
  std::memcpy(probe.ifr_name, name.c_str(), name.size());
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bool existed =
      name.find('%') == std::string::npos && sock >= 0 && ioctl(sock, SIOCGIFINDEX, &probe) == 0;
  if (sock >= 0) close(sock);

  struct ifreq ifr {};
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
    int error = errno;
    close(fd);
    // ENOTTY: the path is not the clone device (only reachable through a wrong clone_path).
    return IoError(TunErrorMessage(TunStep::kAttach, error, name, clone_path));
  }
  std::string actual(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
  return TunDevice(fd, actual, !existed);
}

TunDevice::TunDevice(TunDevice&& other) noexcept
    : fd_(other.fd_), name_(std::move(other.name_)), created_(other.created_) {
  other.fd_ = -1;
}

TunDevice::~TunDevice() { Close(); }

void TunDevice::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Status TunDevice::Configure(const InterfaceAddress& address) {
  const int family = address.family == IpFamily::kIpv4 ? AF_INET : AF_INET6;
  int sock = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return IoError(TunErrorMessage(TunStep::kAddress, errno, name_, address.text));
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{sock};

  struct ifreq ifr {};
  std::memcpy(ifr.ifr_name, name_.c_str(), name_.size());
  auto link_up = [&]() -> Status {
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) {
      return IoError(TunErrorMessage(TunStep::kLinkUp, errno, name_, address.text));
    }
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0) {
      return IoError(TunErrorMessage(TunStep::kLinkUp, errno, name_, address.text));
    }
    return Status::Ok();
  };

  if (address.family == IpFamily::kIpv4) {
    // A TUN device is point-to-point: SIOCSIFADDR gives it a /32, SIOCSIFNETMASK then widens
    // it so the kernel routes the whole subnet to the device.
    auto* sin = reinterpret_cast<sockaddr_in*>(&ifr.ifr_addr);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, address.address.data(), 4);
    if (ioctl(sock, SIOCSIFADDR, &ifr) != 0) {
      return IoError(TunErrorMessage(TunStep::kAddress, errno, name_, address.text));
    }
    uint32_t mask = address.prefix_length == 0 ? 0 : ~uint32_t{0} << (32 - address.prefix_length);
    sin = reinterpret_cast<sockaddr_in*>(&ifr.ifr_netmask);
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(mask);
    if (ioctl(sock, SIOCSIFNETMASK, &ifr) != 0) {
      return IoError(TunErrorMessage(TunStep::kAddress, errno, name_, address.text));
    }
    return link_up();
  }

  // IPv6: up first, so the address is not added to a device whose IPv6 state is not ready.
  Status up = link_up();
  if (!up.ok()) return up;
  if (ioctl(sock, SIOCGIFINDEX, &ifr) != 0) {
    return IoError(TunErrorMessage(TunStep::kAddress, errno, name_, address.text));
  }
  struct in6_ifreq req {};
  std::memcpy(&req.ifr6_addr, address.address.data(), 16);
  req.ifr6_prefixlen = static_cast<uint32_t>(address.prefix_length);
  req.ifr6_ifindex = ifr.ifr_ifindex;
  if (ioctl(sock, SIOCSIFADDR, &req) != 0 && errno != EEXIST) {
    return IoError(TunErrorMessage(TunStep::kAddress, errno, name_, address.text));
  }
  return Status::Ok();
}

std::optional<InterfaceAddress> TunDevice::HostAddress() const {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return std::nullopt;
  struct ifreq addr {
  }, mask{};
  std::memcpy(addr.ifr_name, name_.c_str(), name_.size());
  std::memcpy(mask.ifr_name, name_.c_str(), name_.size());
  bool have = ioctl(sock, SIOCGIFADDR, &addr) == 0 && ioctl(sock, SIOCGIFNETMASK, &mask) == 0;
  close(sock);
  char text[INET6_ADDRSTRLEN];
  if (have) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr.ifr_addr);
    const auto* m = reinterpret_cast<const sockaddr_in*>(&mask.ifr_netmask);
    int prefix = std::popcount(ntohl(m->sin_addr.s_addr));
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    Result<InterfaceAddress> parsed =
        ParseInterfaceAddress(std::string(text) + "/" + std::to_string(prefix));
    if (parsed.ok()) return *parsed;
  }
  // Lines of /proc/net/if_inet6: address (32 hex digits), ifindex, prefix length, scope,
  // flags, name; all numbers in hex. Scope 0 is global.
  FILE* f = fopen("/proc/net/if_inet6", "re");
  if (f == nullptr) return std::nullopt;
  char hex[33], ifname[IFNAMSIZ + 1];
  unsigned index, prefix, scope, flags;
  std::optional<InterfaceAddress> found;
  while (!found &&
         fscanf(f, "%32s %x %x %x %x %16s", hex, &index, &prefix, &scope, &flags, ifname) == 6) {
    if (name_ != ifname || scope != 0) continue;
    Result<Bytes> raw = HexDecode(hex);
    if (!raw.ok() || raw->size() != 16) continue;
    inet_ntop(AF_INET6, raw->data(), text, sizeof text);
    Result<InterfaceAddress> parsed =
        ParseInterfaceAddress(std::string(text) + "/" + std::to_string(prefix));
    if (parsed.ok()) found = *parsed;
  }
  fclose(f);
  return found;
}

bool TunDevice::IsUp() const {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return false;
  struct ifreq ifr {};
  std::memcpy(ifr.ifr_name, name_.c_str(), name_.size());
  bool up = ioctl(sock, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
  close(sock);
  return up;
}

bool TunDevice::WaitReadable(int timeout_ms) {
  if (fd_ < 0) return false;
  struct pollfd p {};
  p.fd = fd_;
  p.events = POLLIN;
  // POLLERR / POLLHUP (the device was deleted) count too: the next Read() reports them.
  return poll(&p, 1, timeout_ms) > 0 && p.revents != 0;
}

Result<std::optional<Bytes>> TunDevice::Read() {
  if (fd_ < 0) return IoError(name_ + ": closed");
  Bytes buffer(kReadBuffer);
  for (;;) {
    ssize_t n = read(fd_, buffer.data(), buffer.size());
    if (n >= 0) {
      buffer.resize(static_cast<size_t>(n));
      return std::optional<Bytes>(std::move(buffer));
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<Bytes>();
    if (errno == EBADFD) return IoError(name_ + " went away (the device was deleted)");
    return IoError("cannot read from " + name_ + ": " + ErrnoText(errno));
  }
}

Status TunDevice::Write(ByteView datagram) {
  if (fd_ < 0) return IoError(name_ + ": closed");
  for (;;) {
    ssize_t n = write(fd_, datagram.data(), datagram.size());
    if (n == static_cast<ssize_t>(datagram.size())) return Status::Ok();
    if (n >= 0) return IoError("wrote only " + std::to_string(n) + " bytes to " + name_);
    if (errno == EINTR) continue;
    return IoError("the kernel refused the datagram on " + name_ + ": " + ErrnoText(errno));
  }
}

}  // namespace llmstack
