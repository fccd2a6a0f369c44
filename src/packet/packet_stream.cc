#include "packet/packet_stream.h"

#include <algorithm>

namespace llmstack {

void EchoPacket::Clear() {
  frame = 0;
  frames.clear();
  time = Timestamp();
  family = IpFamily::kIpv4;
  datagram.clear();
  header_length = 0;
  truncated = length_past_frame = fragmented = oversize = link_broadcast = false;
  first_fragment_lacks_upper_header = false;
  link_header.clear();
  stored_frames.clear();
  type = code = 0;
  checksum = ident = seq = 0;
}

PacketStream::PacketStream(CaptureReader* reader, bool keep_frames)
    : reader_(reader), keep_frames_(keep_frames) {}

namespace {

// Fills the echo fields from the datagram's ICMP message; false if it is not echo. With
// `allow_partial` (a datagram the capture cut short), an echo message cut inside its 8-byte
// header still counts: the fields present are read, the others stay zero.
bool ReadEchoFields(const Datagram& d, EchoPacket* packet, bool allow_partial = false) {
  if (d.protocol != IcmpProtocol(d.family)) return false;
  uint8_t request = EchoRequestType(d.family), reply = EchoReplyType(d.family);
  EchoMessage echo;
  Result<EchoMessage> parsed = ParseEchoMessage(d.upper);
  if (parsed.ok()) {
    echo = *parsed;
  } else {
    if (!allow_partial || d.upper.empty()) return false;
    // Read up to the first field that is cut.
    ByteReader r(d.upper);
    (void)(r.ReadU8(&echo.type) && r.ReadU8(&echo.code) && r.ReadBe16(&echo.checksum) &&
           r.ReadBe16(&echo.ident) && r.ReadBe16(&echo.seq));
  }
  if (echo.type != request && echo.type != reply) return false;
  packet->family = d.family;
  packet->header_length = d.header_length;
  packet->type = echo.type;
  packet->code = echo.code;
  packet->checksum = echo.checksum;
  packet->ident = echo.ident;
  packet->seq = echo.seq;
  return true;
}

NetworkProtocol ProtocolOf(IpFamily family) {
  return family == IpFamily::kIpv4 ? NetworkProtocol::kIpv4 : NetworkProtocol::kIpv6;
}

}  // namespace

bool PacketStream::FromDatagram(ByteView datagram, IpFamily family, EchoPacket* packet) {
  Result<Datagram> d = ParseDatagram(datagram, ProtocolOf(family));
  if (!d.ok() || d->is_fragment) return false;
  if (!ReadEchoFields(*d, packet)) return false;
  packet->datagram.assign(d->bytes.begin(), d->bytes.end());
  return true;
}

Result<bool> PacketStream::Next(EchoPacket* packet) {
  CapturedFrame frame;
  for (;;) {
    Result<bool> more = reader_->Next(&frame);
    if (!more.ok()) return more.status();
    if (!*more) return false;
    ++counts_.frames;

    Result<LinkFrame> link = DecodeLinkFrame(reader_->link_type(), frame.data);
    if (!link.ok() || link->protocol == NetworkProtocol::kOther) continue;
    Result<Datagram> d = ParseDatagram(link->payload, link->protocol);
    if (!d.ok()) continue;
    bool cut_by_capture = frame.captured_length < frame.original_length;

    packet->Clear();
    packet->time = frame.time;
    packet->frame = frame.number;
    packet->link_header.assign(link->header.begin(), link->header.end());
    packet->link_broadcast = reader_->link_type() == LinkType::kEthernet &&
                             link->header.size() >= 6 && (link->header[0] & 1);
    if (d->is_fragment) {
      StoredFrame stored;
      if (keep_frames_) {
        stored = {frame.number, frame.time, frame.original_length,
                  Bytes(frame.data.begin(), frame.data.end())};
      }
      std::optional<ReassembledDatagram> whole =
          reassembler_.Add(*d, frame.number, frame.time, keep_frames_ ? &stored : nullptr);
      if (!whole || !FromDatagram(whole->datagram, d->family, packet)) continue;
      packet->frames = std::move(whole->frames);
      packet->stored_frames = std::move(whole->stored_frames);
      packet->fragmented = true;
      packet->truncated = whole->truncated;
      packet->oversize = whole->oversize;
      packet->first_fragment_lacks_upper_header = whole->first_fragment_lacks_upper_header;
      counts_.echo_frames += packet->frames.size();
      return true;
    }
    if (!ReadEchoFields(*d, packet, d->truncated && cut_by_capture)) continue;
    packet->datagram.assign(d->bytes.begin(), d->bytes.end());
    packet->frames.push_back(frame.number);
    packet->truncated = d->truncated && cut_by_capture;
    packet->length_past_frame = d->truncated && !cut_by_capture;
    ++counts_.echo_frames;
    if (keep_frames_) {
      packet->stored_frames.push_back({frame.number, frame.time, frame.original_length,
                                       Bytes(frame.data.begin(), frame.data.end())});
    }
    return true;
  }
}

Result<EchoPacket> EchoPacketFromDatagram(ByteView datagram) {
  if (datagram.empty()) return Truncated("empty datagram");
  NetworkProtocol protocol =
      datagram[0] >> 4 == 6 ? NetworkProtocol::kIpv6 : NetworkProtocol::kIpv4;
  Result<Datagram> d = ParseDatagram(datagram, protocol);
  if (!d.ok()) return d.status();
  EchoPacket packet;
  if (!ReadEchoFields(*d, &packet)) return Unsupported("not an ICMP echo request or reply");
  packet.datagram.assign(d->bytes.begin(), d->bytes.end());
  packet.truncated = d->truncated;
  packet.frame = 1;
  packet.frames = {1};
  return packet;
}

Result<Bytes> DatagramInFrame(LinkType link, ByteView frame) {
  Result<LinkFrame> decoded = DecodeLinkFrame(link, frame);
  if (!decoded.ok()) return decoded.status();
  if (decoded->protocol == NetworkProtocol::kOther) {
    return Unsupported("the " + LinkTypeName(link) + " frame does not carry IPv4 or IPv6");
  }
  Result<Datagram> d = ParseDatagram(decoded->payload, decoded->protocol);
  ByteView datagram = d.ok() ? d->bytes : decoded->payload;
  return Bytes(datagram.begin(), datagram.end());
}

Result<EchoPacket> ReadEchoPacketAt(const std::string& path, uint64_t frame) {
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(path);
  if (!reader.ok()) return reader.status();
  PacketStream stream(reader->get(), false);
  EchoPacket packet;
  for (;;) {
    Result<bool> more = stream.Next(&packet);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (std::find(packet.frames.begin(), packet.frames.end(), frame) != packet.frames.end()) {
      return packet;
    }
  }
  if (frame == 0 || frame > stream.counts().frames) {
    return NotFound("no frame " + std::to_string(frame) + ": the capture has " +
                    std::to_string(stream.counts().frames) + " frames (they count from 1)");
  }
  return Unsupported("frame " + std::to_string(frame) +
                     " is not an ICMP echo request (nor part of one)");
}

}  // namespace llmstack
