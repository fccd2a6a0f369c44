// Field-by-field dissection of one IP datagram for `explain`, with Wireshark's field names.
// Works on malformed and cut-off packets: it says where the bytes end and which fields are
// missing.
#ifndef LLMSTACK_PACKET_DISSECT_H_
#define LLMSTACK_PACKET_DISSECT_H_

#include <string>
#include <vector>

#include "base/bytes.h"

namespace llmstack {

struct DissectedField {
  std::string name;  // "ip.ttl"
  size_t offset = 0;
  size_t length = 0;  // bytes shown (0 for bit fields sharing the previous bytes)
  std::string value;  // "64", "0x615d [good]", "Echo (ping) request"
};

struct Dissection {
  std::string summary;  // "IPv4, ICMP echo request 172.16.0.1 -> 172.16.0.2 ..."
  std::vector<DissectedField> fields;
  std::vector<std::string> missing;   // fields the bytes end before
  std::string ends_inside;            // field the bytes end inside, if any
  std::vector<std::string> problems;  // "IHL 4 is below 5", "total length 84 but 60 bytes"
  bool is_ipv6 = false;
  size_t header_length = 0;  // where the upper layer starts (if known)
  bool is_echo = false;
};

Dissection DissectDatagram(ByteView datagram);

// The table of a dissection as text lines: offset, bytes, field, value.
std::vector<std::string> FormatDissection(const Dissection& d, ByteView datagram);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_DISSECT_H_
