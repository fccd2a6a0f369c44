#include "packet/reassembly.h"

#include <algorithm>
#include <tuple>

#include "packet/checksum.h"

namespace llmstack {

namespace {
// The most an IP length field can say: IPv4 total length, IPv6 payload length.
constexpr size_t kMaxLengthField = 65535;

// Linux ipv6frag_thdr_truncated(): the first fragment (from the IPv6 header, its Fragment
// header at `fragment_header`) skips extension headers while their first two bytes are there
// (if one is not, it is not judged) and must then hold the 8-byte ICMPv6 header (RFC 8200 4.5,
// RFC 7112).
bool LacksUpperHeader(ByteView bytes, size_t fragment_header) {
  if (fragment_header + 8 > bytes.size()) return false;
  uint8_t next = bytes[fragment_header];
  size_t at = fragment_header + 8;
  while (next == 0 || next == 43 || next == 60 || next == 51 || next == 44) {
    if (at + 2 > bytes.size()) return false;
    size_t length = next == 44   ? 8
                    : next == 51 ? (size_t{bytes[at + 1]} + 2) * 4
                                 : (size_t{bytes[at + 1]} + 1) * 8;
    next = bytes[at];
    at += length;
  }
  return next == 58 && at + 8 > bytes.size();
}
}  // namespace

bool FragmentReassembler::Key::operator<(const Key& o) const {
  return std::tie(family, src, dst, id, protocol) <
         std::tie(o.family, o.src, o.dst, o.id, o.protocol);
}

void FragmentReassembler::Drop(PendingMap::iterator it) {
  Pending& p = it->second;
  discarded_frames_ += p.frame_count;
  pending_frames_ -= p.frame_count;
  memory_ -= p.memory;
  by_age_.erase(p.serial);
  pending_.erase(it);
}

void FragmentReassembler::Poison(Pending& p) {
  // What it held goes; the entry stays, so that its later fragments are dropped too.
  p.poisoned = true;
  memory_ -= p.memory;
  p.memory = 0;
  p.pieces = {};
  p.runs = {};
  p.frames = {};
  p.stored_frames = {};
  p.first_headers = {};
}

void FragmentReassembler::Expire(double now) {
  while (!by_age_.empty() && now - by_age_.begin()->second->second.first_seen > kTimeoutSeconds) {
    Drop(by_age_.begin()->second);
  }
}

std::optional<ReassembledDatagram> FragmentReassembler::Add(const Datagram& fragment,
                                                            uint64_t frame, const Timestamp& time,
                                                            StoredFrame* stored) {
  Expire(time.Seconds());
  // The fragment's data: after the IPv4 header, or after the IPv6 Fragment header.
  size_t data_start = fragment.family == IpFamily::kIpv4 ? fragment.header_length
                                                         : fragment.fragment_header_offset + 8;
  ByteView data = fragment.bytes.subspan(std::min(data_start, fragment.bytes.size()));
  size_t frame_cost = kFrameCost + (stored ? stored->data.size() : 0);
  size_t piece_cost = kPieceCost + data.size();

  Key key{fragment.family, Bytes(fragment.src.begin(), fragment.src.end()),
          Bytes(fragment.dst.begin(), fragment.dst.end()), fragment.fragment_id,
          fragment.family == IpFamily::kIpv4 ? fragment.protocol : uint8_t{0}};
  auto it = pending_.find(key);
  if (memory_ + frame_cost + piece_cost > kMemoryLimit &&
      (it == pending_.end() || !it->second.poisoned)) {
    ++discarded_frames_;  // over ipfrag_high_thresh: dropped, as Linux does
    return std::nullopt;
  }
  if (it == pending_.end()) {
    if (pending_.size() >= kMaxPending) Drop(by_age_.begin()->second);
    it = pending_.emplace(std::move(key), Pending{}).first;
    it->second.first_seen = time.Seconds();
    it->second.serial = next_serial_++;
    by_age_.emplace(it->second.serial, it);
  }
  Pending& p = it->second;
  ++p.frame_count;
  ++pending_frames_;
  if (p.poisoned) return std::nullopt;
  p.frames.push_back(frame);
  if (stored) p.stored_frames.push_back(std::move(*stored));
  p.memory += frame_cost;
  memory_ += frame_cost;

  size_t declared = data.size();
  if (fragment.truncated) {
    uint16_t length_field = 0;
    if (fragment.family == IpFamily::kIpv4) {
      PeekBe16(fragment.bytes, 2, &length_field);
      declared = length_field > data_start ? length_field - data_start : 0;
    } else {
      PeekBe16(fragment.bytes, 4, &length_field);
      declared = 40 + size_t{length_field} > data_start ? 40 + length_field - data_start : 0;
    }
  }
  size_t begin = fragment.fragment_offset;
  size_t end = begin + declared;
  // A fragment of no data discards the datagram (Linux ip_frag_queue, ip6_frag_queue: "end ==
  // offset"), as does one of a length not a multiple of 8 that is not the last (RFC 791 §3.2).
  if (end == begin || (fragment.more_fragments && declared % 8 != 0)) {
    Poison(p);
    return std::nullopt;
  }
  // Data past the last fragment's end discards the datagram, and so does a second last
  // fragment that disagrees on the end, or a last one ending before data already received.
  if ((p.have_last && (end > p.total || (!fragment.more_fragments && end != p.total))) ||
      (!fragment.more_fragments && !p.runs.empty() && p.runs.rbegin()->second > end)) {
    Poison(p);
    return std::nullopt;
  }
  // As Linux does (inet_frag_queue_insert), a fragment lying wholly inside a run of data
  // already received is a duplicate and ignored; any other overlap discards the datagram
  // (RFC 5722).
  auto next = p.runs.upper_bound(begin);
  auto prev = next == p.runs.begin() ? p.runs.end() : std::prev(next);
  if (prev != p.runs.end() && prev->second > begin) {
    if (end <= prev->second) return std::nullopt;  // a duplicate
    Poison(p);
    return std::nullopt;
  }
  if (next != p.runs.end() && next->first < end) {
    Poison(p);
    return std::nullopt;
  }
  size_t run_start = begin, run_end = end;
  if (prev != p.runs.end() && prev->second == begin) {
    run_start = prev->first;
    p.runs.erase(prev);
  }
  if (next != p.runs.end() && next->first == end) {
    run_end = next->second;
    p.runs.erase(next);
  }
  p.runs.emplace(run_start, run_end);
  p.received += declared;
  p.pieces.push_back(Piece{begin, Bytes(data.begin(), data.end()), declared});
  p.memory += piece_cost;
  memory_ += piece_cost;

  if (begin == 0) {
    p.have_first = true;
    size_t headers = fragment.family == IpFamily::kIpv4 ? fragment.header_length
                                                        : fragment.unfragmentable_length;
    p.first_headers.assign(fragment.bytes.begin(), fragment.bytes.begin() + headers);
    p.next_header_field = fragment.fragment_next_header_field;
    if (fragment.family == IpFamily::kIpv6 &&
        fragment.fragment_header_offset < fragment.bytes.size()) {
      p.upper_protocol = fragment.bytes[fragment.fragment_header_offset];
      p.first_lacks_upper_header =
          LacksUpperHeader(fragment.bytes, fragment.fragment_header_offset);
    }
  }
  if (!fragment.more_fragments) {
    p.have_last = true;
    p.total = end;
  }
  // Pieces never overlap and none lies past the end, so all the data is there when the
  // bytes received add up to the end.
  if (!p.have_first || !p.have_last || p.received != p.total) return std::nullopt;
  return Complete(it);
}

ReassembledDatagram FragmentReassembler::Complete(PendingMap::iterator it) {
  Pending& p = it->second;
  ReassembledDatagram out;
  out.frames = std::move(p.frames);
  out.stored_frames = std::move(p.stored_frames);
  bool ipv4 = it->first.family == IpFamily::kIpv4;
  size_t headers = p.first_headers.size();
  // RFC 791 §3.1 total length and RFC 8200 §3 payload length are 16 bits: a longer datagram
  // cannot be one (Linux drops it: "Oversized IP packet").
  size_t length = ipv4 ? headers + p.total : headers - 40 + p.total;
  out.oversize = length > kMaxLengthField;
  size_t data_limit = out.oversize ? kMaxLengthField - (ipv4 ? headers : headers - 40) : p.total;

  std::sort(p.pieces.begin(), p.pieces.end(),
            [](const Piece& a, const Piece& b) { return a.offset < b.offset; });
  out.first_fragment_lacks_upper_header = p.first_lacks_upper_header;
  Bytes& d = out.datagram;
  d = std::move(p.first_headers);
  d.reserve(headers + std::min(data_limit, p.total));
  for (const Piece& piece : p.pieces) {
    if (piece.offset >= data_limit) break;
    size_t take = std::min(piece.data.size(), data_limit - piece.offset);
    d.insert(d.end(), piece.data.begin(), piece.data.begin() + static_cast<std::ptrdiff_t>(take));
    if (piece.data.size() < piece.declared && take == piece.data.size()) {
      out.truncated = true;
      break;
    }
  }
  size_t data_length = std::min(data_limit, p.total);
  if (ipv4) {
    // One datagram: MF and offset cleared, total length covering all data, checksum redone.
    PutBe16(d, 2, static_cast<uint16_t>(headers + data_length));
    d[6] = static_cast<uint8_t>(d[6] & 0xc0);  // keep RB and DF, clear MF and offset
    d[7] = 0;
    PutBe16(d, 10, 0);
    PutBe16(d, 10, InternetChecksum(ByteView(d).first(headers)));
  } else {
    // The Fragment header is gone; its Next Header moves to the header that named it.
    d[p.next_header_field] = p.upper_protocol;
    PutBe16(d, 4, static_cast<uint16_t>(headers - 40 + data_length));
  }
  pending_frames_ -= p.frame_count;
  memory_ -= p.memory;
  by_age_.erase(p.serial);
  pending_.erase(it);
  return out;
}

}  // namespace llmstack
