// Reassembly of IPv4 (RFC 791 §3.2, RFC 815) and IPv6 (RFC 8200 §4.5) fragments, so that a
// fragmented echo request is graded as the one datagram a host would answer. Linear in its
// input (DESIGN §11): each fragment costs a logarithmic lookup of its datagram and of the runs
// of data already received, never a walk over the fragments held; incomplete datagrams are
// bounded in time and memory by the Linux defaults.
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
  Bytes datagram;                          // whole datagram: first fragment's headers, all data
  std::vector<uint64_t> frames;            // frames of the fragments, in arrival order
  std::vector<StoredFrame> stored_frames;  // those frames, when Add() was given them
  bool truncated = false;                  // a fragment was cut by the capture; data ends early
  // Longer than an IP length field can say (IPv4 total length, IPv6 payload length over
  // 65,535: the "ping of death"). Linux drops it (ip_frag_reasm's "Oversized IP packet",
  // ip6_frag_reasm likewise), so no reply is due; `datagram` then holds the data up to that
  // limit, its length field says so, and its ICMP checksum does not cover what was sent.
  bool oversize = false;
  // IPv6: the first fragment does not hold the headers through the ICMPv6 header (RFC 8200
  // 4.5, RFC 7112), judged as Linux does (ipv6frag_thdr_truncated).
  bool first_fragment_lacks_upper_header = false;
};

class FragmentReassembler {
 public:
  // Limits that keep memory bounded on hostile captures, after Linux's defaults:
  static constexpr size_t kMaxPending = 1024;      // datagrams; the oldest is dropped
  static constexpr double kTimeoutSeconds = 30.0;  // net.ipv4.ipfrag_time
  // net.ipv4.ipfrag_high_thresh: past it, as in Linux's inet_frag_find(), fragments are
  // dropped until expiry frees memory. Counted as the bytes held, plus kPieceCost for each
  // piece of data and kFrameCost for each frame (a duplicate holds only its frame).
  static constexpr size_t kMemoryLimit = 4 * 1024 * 1024;
  static constexpr size_t kPieceCost = 64;
  static constexpr size_t kFrameCost = 16;

  // Adds one fragment (`fragment.is_fragment` is true) seen in frame `frame` at `time`; with
  // `stored`, that frame is kept (moved from) and handed back with its datagram.
  // Returns the datagram when this fragment completes it. A datagram whose fragments overlap
  // with different bytes is discarded, as RFC 5722 requires for IPv6 and Linux does for IPv4,
  // and so is one with a fragment of no data (Linux: "end == offset"); `discarded` counts the
  // frames thrown away this way or by the limits.
  std::optional<ReassembledDatagram> Add(const Datagram& fragment, uint64_t frame,
                                         const Timestamp& time, StoredFrame* stored = nullptr);

  // Frames of datagrams that were dropped or never completed (call at the end).
  uint64_t discarded_frames() const { return discarded_frames_; }
  uint64_t pending_frames() const { return pending_frames_; }
  size_t memory() const { return memory_; }  // as counted against kMemoryLimit

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
    uint64_t serial = 0;  // order of arrival of its first fragment
    Bytes first_headers;  // unfragmentable part of the offset-0 fragment
    size_t next_header_field = 0;
    uint8_t upper_protocol = 0;
    bool have_first = false;
    bool have_last = false;
    bool first_lacks_upper_header = false;
    size_t total = 0;           // data length, known once the last fragment arrived
    std::vector<Piece> pieces;  // in arrival order; they never overlap
    // The data received as runs of contiguous bytes, start -> end.
    std::map<size_t, size_t> runs;
    size_t received = 0;  // bytes of data received (declared lengths)
    std::vector<uint64_t> frames;
    std::vector<StoredFrame> stored_frames;
    uint64_t frame_count = 0;  // frames, those of a discarded datagram included
    size_t memory = 0;
    double first_seen = 0;
    bool poisoned = false;  // discarded; its later fragments are dropped too, until expiry
  };
  using PendingMap = std::map<Key, Pending>;

  void Drop(PendingMap::iterator it);
  void Poison(Pending& p);
  void Expire(double now);
  ReassembledDatagram Complete(PendingMap::iterator it);

  PendingMap pending_;
  std::map<uint64_t, PendingMap::iterator> by_age_;  // serial -> datagram, oldest first
  uint64_t next_serial_ = 0;
  uint64_t discarded_frames_ = 0;
  uint64_t pending_frames_ = 0;
  size_t memory_ = 0;
};

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_REASSEMBLY_H_
