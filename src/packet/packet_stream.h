// From a capture to ICMP echo messages: frames are read one at a time, their link headers
// stripped, fragments reassembled, and every echo request or reply handed out with its own
// copy of the bytes. Everything else is counted as skipped.
#ifndef LLMSTACK_PACKET_PACKET_STREAM_H_
#define LLMSTACK_PACKET_PACKET_STREAM_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "packet/capture.h"
#include "packet/icmp.h"
#include "packet/ip.h"
#include "packet/link.h"
#include "packet/reassembly.h"

namespace llmstack {

// An ICMP or ICMPv6 echo request or reply (after reassembly).
struct EchoPacket {
  uint64_t frame = 0;            // the frame that completed it (Wireshark shows it there)
  std::vector<uint64_t> frames;  // all its frames (more than one when fragmented)
  Timestamp time;                // of the completing frame
  IpFamily family = IpFamily::kIpv4;
  Bytes datagram;                  // IP header to the end of the ICMP message
  size_t header_length = 0;        // bytes before the ICMP message
  bool truncated = false;          // cut by the capture's snaplen
  bool length_past_frame = false;  // the IP length claims more bytes than the frame had
  bool fragmented = false;
  // Reassembled past 65,535 bytes (ReassembledDatagram::oversize): a host drops it.
  bool oversize = false;
  bool first_fragment_lacks_upper_header = false;  // IPv6 (ReassembledDatagram)
  Bytes link_header;                               // of the completing frame
  bool link_broadcast = false;             // Ethernet destination was broadcast or multicast
  std::vector<StoredFrame> stored_frames;  // when the stream keeps frames

  uint8_t type = 0, code = 0;
  uint16_t checksum = 0, ident = 0, seq = 0;

  // The ICMP message (from the capture: possibly cut short, even inside its 8-byte header).
  ByteView message() const {
    return ByteView(datagram).subspan(std::min(header_length, datagram.size()));
  }
  // The addresses (4 or 16 bytes; empty when the datagram is too short to hold them).
  ByteView src() const {
    ByteView d(datagram);
    if (family == IpFamily::kIpv4) return d.size() >= 16 ? d.subspan(12, 4) : ByteView();
    return d.size() >= 24 ? d.subspan(8, 16) : ByteView();
  }
  ByteView dst() const {
    ByteView d(datagram);
    if (family == IpFamily::kIpv4) return d.size() >= 20 ? d.subspan(16, 4) : ByteView();
    return d.size() >= 40 ? d.subspan(24, 16) : ByteView();
  }
  // Back to a default EchoPacket, keeping the buffers' capacity for the next packet.
  void Clear();
  bool is_request() const { return type == EchoRequestType(family); }
  bool is_reply() const { return type == EchoReplyType(family); }
};

struct PacketStreamCounts {
  uint64_t frames = 0;
  uint64_t echo_frames = 0;  // frames that are part of an echo request or reply
  uint64_t skipped() const { return frames - echo_frames; }
};

class PacketStream {
 public:
  // `reader` must outlive the stream. With `keep_frames`, every EchoPacket carries copies of
  // its frames.
  PacketStream(CaptureReader* reader, bool keep_frames);

  // Reads up to the next echo message. Returns false at the end of the capture.
  // Errors: those of CaptureReader::Next (the capture itself is damaged).
  Result<bool> Next(EchoPacket* packet);

  const PacketStreamCounts& counts() const { return counts_; }
  LinkType link_type() const { return reader_->link_type(); }

 private:
  // Fills `packet` from a complete datagram; false when it is not an echo message.
  bool FromDatagram(ByteView datagram, IpFamily family, EchoPacket* packet);

  CaptureReader* reader_;
  bool keep_frames_;
  FragmentReassembler reassembler_;  // holds the frames of fragments, when keeping frames
  PacketStreamCounts counts_;
};

// Decodes one datagram given as bytes (a model's reply, a line of hex) the way the stream
// decodes one from a capture. Errors: kMalformed / kTruncated from the IP parser, or
// kUnsupported when it is not an echo message.
Result<EchoPacket> EchoPacketFromDatagram(ByteView datagram);

// The IP datagram in a frame of link type `link`: after the link header, up to where the IP
// length says it ends (link-layer padding is not part of it; a datagram too malformed to say
// is given whole). Errors: kTruncated (the frame ends inside its link header), kUnsupported
// (the frame does not carry IPv4 or IPv6).
Result<Bytes> DatagramInFrame(LinkType link, ByteView frame);

// The echo message frame `frame` (counting from 1) of the capture at `path` is part of: its
// datagram reassembled when fragmented. Errors: those of opening and reading the capture
// (not naming it), kNotFound when the capture ends before that frame, kUnsupported when the
// frame holds no ICMP echo request or reply.
Result<EchoPacket> ReadEchoPacketAt(const std::string& path, uint64_t frame);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_PACKET_STREAM_H_
