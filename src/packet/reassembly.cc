#include "packet/reassembly.h"

#include <algorithm>
#include <tuple>

#include "packet/checksum.h"

namespace llmstack {

namespace {
// Fragment offsets reach 65,528; data past 65,535 bytes is an oversize datagram, kept so that
// it can be judged (the bound only limits memory).
constexpr size_t kMaxDatagram = 2 * 65536;
constexpr size_t kMaxIpLength = 65535;

// Linux ipv6frag_thdr_truncated(): the first fragment (from the IPv6 header, its Fragment
// header at `fragment_header`) skips extension headers while their first two bytes are there
// (if one is not, it is not judged) and must then hold the 8-byte ICMPv6 header.
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

uint64_t FragmentReassembler::pending_frames() const {
  uint64_t n = 0;
  for (const auto& [key, p] : pending_) n += p.frames.size();
  return n;
}

void FragmentReassembler::Expire(double now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second.first_seen > kTimeoutSeconds) {
      discarded_frames_ += it->second.frames.size();
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<ReassembledDatagram> FragmentReassembler::Add(const Datagram& fragment,
                                                            uint64_t frame, const Timestamp& time) {
  Expire(time.Seconds());
  Key key{fragment.family, Bytes(fragment.src.begin(), fragment.src.end()),
          Bytes(fragment.dst.begin(), fragment.dst.end()), fragment.fragment_id,
          fragment.family == IpFamily::kIpv4 ? fragment.protocol : uint8_t{0}};
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    if (pending_.size() >= kMaxPending) {
      discarded_frames_ += pending_.begin()->second.frames.size();
      pending_.erase(pending_.begin());
    }
    it = pending_.emplace(key, Pending{}).first;
    it->second.first_seen = time.Seconds();
  }
  Pending& p = it->second;
  p.frames.push_back(frame);
  if (p.poisoned) return std::nullopt;

  // The fragment's data: after the IPv4 header, or after the IPv6 Fragment header.
  size_t data_start = fragment.family == IpFamily::kIpv4 ? fragment.header_length
                                                         : fragment.fragment_header_offset + 8;
  ByteView data = fragment.bytes.subspan(std::min(data_start, fragment.bytes.size()));
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
  if (end > kMaxDatagram || (fragment.more_fragments && declared % 8 != 0)) {
    p.poisoned = true;
    return std::nullopt;
  }
  // Pieces are kept sorted by offset and never overlap. As Linux does (inet_frag_queue_insert),
  // a fragment lying wholly inside a run of data already received is a duplicate and ignored;
  // any other overlap discards the datagram (RFC 5722), and so does data past the last
  // fragment's end.
  if (p.have_last && (end > p.total || (!fragment.more_fragments && end != p.total))) {
    p.poisoned = true;
    return std::nullopt;
  }
  auto pos =
      std::upper_bound(p.pieces.begin(), p.pieces.end(), begin,
                       [](size_t offset, const Piece& piece) { return offset < piece.offset; });
  bool overlaps =
      (pos != p.pieces.begin() && std::prev(pos)->offset + std::prev(pos)->declared > begin) ||
      (pos != p.pieces.end() && pos->offset < end);
  if (overlaps) {
    if (pos != p.pieces.begin()) {
      auto run = std::prev(pos);
      size_t run_end = run->offset + run->declared;
      for (auto next = pos; next != p.pieces.end() && next->offset == run_end; ++next) {
        run_end = next->offset + next->declared;
      }
      if (end <= run_end) return std::nullopt;  // a duplicate
    }
    p.poisoned = true;
    return std::nullopt;
  }
  if (!fragment.more_fragments && !p.pieces.empty() &&
      p.pieces.back().offset + p.pieces.back().declared > end) {
    p.poisoned = true;  // data beyond what the last fragment says is the end
    return std::nullopt;
  }
  p.pieces.insert(pos, Piece{begin, Bytes(data.begin(), data.end()), declared});
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
  return TryComplete(it);
}

std::optional<ReassembledDatagram> FragmentReassembler::TryComplete(
    std::map<Key, Pending>::iterator it) {
  Pending& p = it->second;
  if (!p.have_first || !p.have_last) return std::nullopt;
  size_t covered = 0;
  for (const Piece& piece : p.pieces) {
    if (piece.offset > covered) return std::nullopt;  // a hole remains
    covered = std::max(covered, piece.offset + piece.declared);
  }
  if (covered < p.total) return std::nullopt;

  ReassembledDatagram out;
  out.frames = p.frames;
  out.datagram = p.first_headers;
  for (const Piece& piece : p.pieces) {
    if (piece.data.size() < piece.declared) {
      out.datagram.insert(out.datagram.end(), piece.data.begin(), piece.data.end());
      out.truncated = true;
      break;
    }
    out.datagram.insert(out.datagram.end(), piece.data.begin(), piece.data.end());
  }
  Bytes& d = out.datagram;
  out.first_fragment_lacks_upper_header = p.first_lacks_upper_header;
  if (it->first.family == IpFamily::kIpv4) {
    // One datagram: MF and offset cleared, total length covering all data, checksum redone.
    size_t total = p.first_headers.size() + p.total;
    out.oversize = total > kMaxIpLength;
    PutBe16(d, 2, static_cast<uint16_t>(std::min(total, kMaxIpLength)));
    d[6] = static_cast<uint8_t>(d[6] & 0xc0);  // keep RB and DF, clear MF and offset
    d[7] = 0;
    PutBe16(d, 10, 0);
    PutBe16(d, 10, InternetChecksum(ByteView(d).first(p.first_headers.size())));
  } else {
    // The Fragment header is gone; its Next Header moves to the header that named it.
    d[p.next_header_field] = p.upper_protocol;
    size_t payload = p.first_headers.size() - 40 + p.total;
    out.oversize = payload > kMaxIpLength;
    PutBe16(d, 4, static_cast<uint16_t>(std::min(payload, kMaxIpLength)));
  }
  pending_.erase(it);
  return out;
}

}  // namespace llmstack
