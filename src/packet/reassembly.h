// Reassembly of IPv4 (RFC 791 §3.2, RFC 815) and IPv6 (RFC 8200 §4.5) fragments, so that a
// fragmented echo request is graded as the one datagram a host would answer.
#ifndef LLMSTACK_PACKET_REASSEMBLY_H_
#define LLMSTACK_PACKET_REASSEMBLY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "packet/capture.h"
#include "packet/ip.h"

namespace llmstack {

struct ReassembledDatagram {
  Bytes datagram;                // whole datagram: first fragment's headers, all data
  std::vector<uint64_t> frames;  // frames of the fragments, in arrival order
  bool truncated = false;        // a fragment was cut by the capture; data ends early
  // The data runs past what the IP length field can say (65,535 bytes: RFC 791 3.1, RFC 8200
  // 4.5; the "ping of death"); the length field then says 65,535.
  bool oversize = false;
  // IPv6: the first fragment does not hold the headers through the ICMPv6 header (RFC 8200
  // 4.5, RFC 7112), judged as Linux does (ipv6frag_thdr_truncated).
  bool first_fragment_lacks_upper_header = false;
};

class FragmentReassembler {
 public:
  // Limits that keep memory bounded on hostile captures.
  static constexpr size_t kMaxPending = 1024;
  static constexpr double kTimeoutSeconds = 30.0;  // Linux ipfrag_time default

  // Adds one fragment (`fragment.is_fragment` is true) seen in frame `frame` at `time`.
  // Returns the datagram when this fragment completes it. A datagram whose fragments overlap
  // with different bytes is discarded, as RFC 5722 requires for IPv6 and Linux does for IPv4;
  // `discarded` counts the frames thrown away this way or by the limits.
  std::optional<ReassembledDatagram> Add(const Datagram& fragment, uint64_t frame,
                                         const Timestamp& time);

  // Frames of datagrams that were dropped or never completed (call at the end).
  uint64_t discarded_frames() const { return discarded_frames_; }
  uint64_t pending_frames() const;

 private:
  struct Key {
    IpFamily family;
    Bytes src, dst;
    uint32_t id;
    uint8_t protocol;
    bool operator<(const Key& o) const;
  };
  struct Piece {
    size_t offset;
    Bytes data;       // captured bytes
    size_t declared;  // length the IP header declares
  };
  struct Pending {
    Bytes first_headers;  // unfragmentable part of the offset-0 fragment
    size_t next_header_field = 0;
    uint8_t upper_protocol = 0;
    bool have_first = false;
    bool have_last = false;
    size_t total = 0;  // data length, known once the last fragment arrived
    std::vector<Piece> pieces;
    std::vector<uint64_t> frames;
    double first_seen = 0;
    bool poisoned = false;
    bool first_lacks_upper_header = false;
  };

  void Expire(double now);
  std::optional<ReassembledDatagram> TryComplete(std::map<Key, Pending>::iterator it);

  std::map<Key, Pending> pending_;
  uint64_t discarded_frames_ = 0;
};

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_REASSEMBLY_H_
