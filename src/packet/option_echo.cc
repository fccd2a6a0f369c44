#include "packet/option_echo.h"

#include <cstring>

#include "packet/ip.h"

namespace llmstack {

namespace {

void PutAddress(Bytes& b, size_t at, ByteView address) {
  if (at + 4 <= b.size()) std::memcpy(b.data() + at, address.data(), 4);
}

void PutClock(Bytes& b, size_t at, uint32_t ms, std::vector<size_t>* clock_offsets, size_t base) {
  if (at + 4 > b.size()) return;
  b[at] = static_cast<uint8_t>(ms >> 24);
  b[at + 1] = static_cast<uint8_t>(ms >> 16);
  b[at + 2] = static_cast<uint8_t>(ms >> 8);
  b[at + 3] = static_cast<uint8_t>(ms);
  clock_offsets->push_back(base + at);
}

// Record Route (RFC 791 §3.1, type 7): type, length, pointer (from 1, min 4), addresses.
// Adds this host's address `entries` times while there is room ("if the route data area is
// already full ... without inserting the address").
Bytes EchoRecordRoute(ByteView option, ByteView self, int entries) {
  Bytes rr(option.begin(), option.end());
  for (int i = 0; i < entries; ++i) {
    uint8_t pointer = rr[2];
    if (pointer < 4 || static_cast<size_t>(pointer) + 3 > rr.size()) break;  // full
    PutAddress(rr, pointer - 1, self);
    rr[2] = static_cast<uint8_t>(pointer + 4);
  }
  return rr;
}

// Internet Timestamp (RFC 791 §3.1, type 68): type, length, pointer (min 5),
// overflow(4 bits) | flag(4 bits), then entries. Flags: 0 timestamps only, 1 address and
// timestamp, 3 prespecified addresses. The first entry is the one written on receive: with no
// room left, the hop is counted in the overflow field instead (not for prespecified
// addresses). Later entries (Linux's on send) are written only where there is room.
Bytes EchoTimestamp(ByteView option, ByteView self, int entries, uint32_t clock_ms,
                    std::vector<size_t>* clock_offsets, size_t base) {
  Bytes ts(option.begin(), option.end());
  if (ts.size() < 4) return ts;
  for (int i = 0; i < entries; ++i) {
    uint8_t pointer = ts[2];
    uint8_t flag = ts[3] & 0x0f;
    size_t entry = flag == 0 ? 4 : 8;
    if (pointer < 5 || pointer + entry - 1 > ts.size()) {
      uint8_t overflow = ts[3] >> 4;
      if (i == 0 && flag != 3 && overflow < 15) {
        ts[3] = static_cast<uint8_t>((overflow + 1) << 4 | flag);
      }
      break;
    }
    size_t at = pointer - 1u;
    if (flag == 0) {
      PutClock(ts, at, clock_ms, clock_offsets, base);
    } else if (flag == 1) {
      PutAddress(ts, at, self);
      PutClock(ts, at + 4, clock_ms, clock_offsets, base);
    } else if (flag == 3) {
      if (std::memcmp(ts.data() + at, self.data(), 4) != 0) break;  // not our turn
      PutClock(ts, at + 4, clock_ms, clock_offsets, base);
    } else {
      break;
    }
    ts[2] = static_cast<uint8_t>(pointer + entry);
  }
  return ts;
}

// The checks a host makes on receiving RR, TS and source-route options (RFC 791 §3.1; Linux
// ip_options_compile): a pointer before the first slot, a slot cut by the option's end, an
// unknown timestamp flag, or a timestamp overflow count that would itself overflow make the
// datagram one to discard. Each of these options may appear once.
Status CheckOption(const Ipv4Option& o) {
  const size_t length = o.bytes.size();
  auto bad = [&o](const char* what) {
    return Malformed(std::string(what) + " in IPv4 option " + std::to_string(o.type) +
                     " at offset " + std::to_string(o.offset));
  };
  if (length < 3) return bad("no pointer");
  const size_t pointer = o.bytes[2];
  if (o.type == kIpOptTimestamp) {
    if (length < 4) return bad("no flags");
    uint8_t flag = o.bytes[3] & 0x0f;
    if (flag != 0 && flag != 1 && flag != 3) return bad("unknown timestamp flag");
    if (pointer < 5) return bad("pointer below 5");
    size_t entry = flag == 0 ? 4 : 8;
    if (pointer <= length && pointer + entry - 1 > length) return bad("a slot cut by the end");
    if (pointer > length && flag != 3 && (o.bytes[3] >> 4) == 15) {
      return bad("overflow count at 15 and no room");
    }
    return Status::Ok();
  }
  if (pointer < 4) return bad("pointer below 4");
  if (pointer <= length && pointer + 3 > length) return bad("a slot cut by the end");
  return Status::Ok();
}

// Loose/Strict Source Route (RFC 791 §3.1): the reversed route. With recorded hops
// a1..an (n = (pointer - 4) / 4 entries passed), the reply goes to an first and carries
// a(n-1)..a1 followed by the original source, pointer 4.
Bytes ReverseSourceRoute(ByteView option, ByteView request_src, std::optional<Bytes>* next_hop) {
  size_t pointer = option[2];
  size_t length = option[1];
  if (pointer > length + 1) pointer = length + 1;
  std::vector<Bytes> hops;
  for (size_t at = 3; at + 4 <= pointer - 1 && at + 4 <= option.size(); at += 4) {
    hops.emplace_back(option.begin() + at, option.begin() + at + 4);
  }
  if (hops.empty()) return {};
  *next_hop = hops.back();
  Bytes out = {option[0], 0, 4};
  for (size_t i = hops.size() - 1; i-- > 0;) out.insert(out.end(), hops[i].begin(), hops[i].end());
  out.insert(out.end(), request_src.begin(), request_src.end());
  out[1] = static_cast<uint8_t>(out.size());
  return out;
}

// Linux: the class inet_addr_type() gives an address that is not in the local table as
// RTN_UNICAST; a Timestamp with prespecified addresses is stamped for every other class:
// this host's own address, loopback, 0.0.0.0/8, the limited broadcast and multicast (a subnet
// broadcast of the host is local too, but a capture cannot show it).
bool LinuxStampsPrespecified(ByteView address, ByteView self) {
  if (address.size() != 4) return false;
  return std::memcmp(address.data(), self.data(), 4) == 0 || address[0] == 127 || address[0] == 0 ||
         IsMulticastAddress(address) || IsLimitedBroadcast(address);
}

// What the kernel keeps of a received datagram's options (struct ip_options).
struct LinuxReceived {
  Bytes options;  // the options as received and updated (entries written on receive)
  std::optional<size_t> rr, ts, srr;
  bool rr_needaddr = false, ts_needaddr = false, ts_needtime = false;
};

// net/ipv4/ip_options.c ip_options_compile() on a received datagram: parses, checks and
// updates RR and TS. Errors: kMalformed naming the offset the kernel's Parameter Problem
// points at (the datagram is dropped).
Result<LinuxReceived> LinuxCompile(ByteView request_options, ByteView self, uint32_t clock_ms,
                                   std::vector<size_t>* clock_offsets) {
  LinuxReceived in;
  in.options.assign(request_options.begin(), request_options.end());
  Bytes& o = in.options;
  auto error = [](size_t at, const char* what) {
    return Malformed(std::string(what) + " (IPv4 option byte " + std::to_string(20 + at) + ")");
  };
  size_t at = 0;
  while (at < o.size()) {
    uint8_t type = o[at];
    if (type == kIpOptEnd) break;  // the rest is not parsed
    if (type == kIpOptNop) {
      ++at;
      continue;
    }
    if (o.size() - at < 2) return error(at, "an option with no length byte");
    size_t length = o[at + 1];
    if (length < 2 || length > o.size() - at)
      return error(at, "an option length outside the header");
    uint8_t* opt = o.data() + at;
    switch (type) {
      case kIpOptLooseSourceRoute:
      case kIpOptStrictSourceRoute:
        if (length < 3) return error(at + 1, "a source route with no pointer");
        if (opt[2] < 4) return error(at + 2, "a source route pointer below 4");
        if (in.srr) return error(at, "a second source route");
        in.srr = at;
        break;
      case kIpOptRecordRoute:
        if (in.rr) return error(at, "a second Record Route");
        if (length < 3) return error(at + 1, "a Record Route with no pointer");
        if (opt[2] < 4) return error(at + 2, "a Record Route pointer below 4");
        if (opt[2] <= length) {
          if (opt[2] + 3u > length) return error(at + 2, "a Record Route slot cut by its end");
          std::memcpy(opt + opt[2] - 1, self.data(), 4);
          opt[2] = static_cast<uint8_t>(opt[2] + 4);
          in.rr_needaddr = true;
        }
        in.rr = at;
        break;
      case kIpOptTimestamp:
        if (in.ts) return error(at, "a second Timestamp");
        if (length < 4) return error(at + 1, "a Timestamp shorter than 4 bytes");
        if (opt[2] < 5) return error(at + 2, "a Timestamp pointer below 5");
        if (opt[2] <= length) {
          size_t pointer = opt[2];
          if (pointer + 3 > length) return error(at + 2, "a Timestamp slot cut by its end");
          switch (opt[3] & 0x0f) {
            case 0:
              PutClock(o, at + pointer - 1, clock_ms, clock_offsets, 0);
              in.ts_needtime = true;
              opt[2] = static_cast<uint8_t>(pointer + 4);
              break;
            case 1:
              if (pointer + 7 > length) return error(at + 2, "a Timestamp slot cut by its end");
              std::memcpy(opt + pointer - 1, self.data(), 4);
              PutClock(o, at + pointer + 3, clock_ms, clock_offsets, 0);
              in.ts_needaddr = in.ts_needtime = true;
              opt[2] = static_cast<uint8_t>(pointer + 8);
              break;
            case 3:
              if (pointer + 7 > length) return error(at + 2, "a Timestamp slot cut by its end");
              if (!LinuxStampsPrespecified(ByteView(o).subspan(at + pointer - 1, 4), self)) break;
              PutClock(o, at + pointer + 3, clock_ms, clock_offsets, 0);
              in.ts_needtime = true;
              opt[2] = static_cast<uint8_t>(pointer + 8);
              break;
            default:
              break;  // other flags: accepted on receive, left as they are
          }
        } else if ((opt[3] & 0x0f) != 3) {
          // No room: one more host counted in the overflow field (not for prespecified
          // addresses, whose list simply ended).
          if ((opt[3] & 0xf0) == 0xf0) {
            return error(at + 3, "a full Timestamp whose overflow count is 15");
          }
          opt[3] = static_cast<uint8_t>(opt[3] + 0x10);
        }
        in.ts = at;
        break;
      case kIpOptRouterAlert:
        if (length < 4) return error(at + 1, "a Router Alert shorter than 4 bytes");
        break;
      default:
        break;  // received options the kernel does not know are ignored
    }
    at += length;
  }
  return in;
}

// net/ipv4/ip_options.c __ip_options_echo() and ip_options_build(): RR then TS (then the
// source route and CIPSO, which under the defaults never get this far), each copied as
// received and given this host's second entry where its pointer leaves room. Errors:
// kUnsupported when a pointer leaves part of a slot (the kernel sends no reply).
Result<OptionEcho> LinuxEcho(const LinuxReceived& in, ByteView self, uint32_t clock_ms,
                             std::vector<size_t> received_clocks) {
  OptionEcho out;
  const Bytes& o = in.options;
  if (in.rr) {
    size_t length = o[*in.rr + 1], pointer = o[*in.rr + 2];
    Bytes rr(o.begin() + *in.rr, o.begin() + *in.rr + length);
    if (in.rr_needaddr && pointer <= length) {
      if (pointer + 3 > length) return Unsupported("no room to echo the Record Route");
      PutAddress(rr, pointer - 1, self);
      rr[2] = static_cast<uint8_t>(pointer + 4);
    }
    out.options.insert(out.options.end(), rr.begin(), rr.end());
  }
  if (in.ts) {
    size_t base = out.options.size();
    size_t length = o[*in.ts + 1], pointer = o[*in.ts + 2];
    Bytes ts(o.begin() + *in.ts, o.begin() + *in.ts + length);
    for (size_t c : received_clocks) {
      if (c >= *in.ts && c < *in.ts + length) out.clock_offsets.push_back(base + c - *in.ts);
    }
    if (pointer <= length) {
      bool needaddr = false, needtime = false;
      if (in.ts_needaddr) {
        if (pointer + 3 > length) return Unsupported("no room to echo the Timestamp");
        needaddr = true;
        pointer += 4;
      }
      if (in.ts_needtime) {
        if (pointer + 3 > length) return Unsupported("no room to echo the Timestamp");
        if ((ts[3] & 0x0f) != 3) {
          needtime = true;
          pointer += 4;
        } else if (pointer + 7 <= length &&
                   LinuxStampsPrespecified(ByteView(ts).subspan(pointer - 1, 4), self)) {
          needtime = true;
          pointer += 8;
        }
      }
      ts[2] = static_cast<uint8_t>(pointer);
      if (needaddr) PutAddress(ts, pointer - 9, self);
      if (needtime) PutClock(ts, pointer - 5, clock_ms, &out.clock_offsets, base);
    }
    out.options.insert(out.options.end(), ts.begin(), ts.end());
  }
  if (in.srr) out.has_source_route = true;
  return out;
}

}  // namespace

Result<OptionEcho> EchoIpv4Options(ByteView request_options, ByteView request_src,
                                   ByteView request_dst, uint32_t clock_ms, OptionEchoStyle style) {
  if (style == OptionEchoStyle::kLinux) {
    std::vector<size_t> received_clocks;
    Result<LinuxReceived> in =
        LinuxCompile(request_options, request_dst, clock_ms, &received_clocks);
    if (!in.ok()) return in.status();
    Result<OptionEcho> out = LinuxEcho(*in, request_dst, clock_ms, std::move(received_clocks));
    if (!out.ok()) return out.status();
    while (out->options.size() % 4 != 0) out->options.push_back(kIpOptEnd);
    return out;
  }
  Result<std::vector<Ipv4Option>> parsed = ParseIpv4Options(request_options);
  if (!parsed.ok()) return parsed.status();
  int record_routes = 0, timestamps = 0, source_routes = 0;
  for (const Ipv4Option& o : *parsed) {
    int* count = o.type == kIpOptRecordRoute ? &record_routes
                 : o.type == kIpOptTimestamp ? &timestamps
                 : o.type == kIpOptLooseSourceRoute || o.type == kIpOptStrictSourceRoute
                     ? &source_routes
                     : nullptr;
    if (count == nullptr) continue;
    if (++*count > 1) {
      return Malformed("IPv4 option " + std::to_string(o.type) + " appears twice");
    }
    Status s = CheckOption(o);
    if (!s.ok()) return s;
  }
  OptionEcho out;
  const int entries = style == OptionEchoStyle::kLinux ? 2 : 1;
  // Linux echoes in a fixed order: RR, TS, then the source route.
  for (uint8_t wanted : {kIpOptRecordRoute, kIpOptTimestamp}) {
    for (const Ipv4Option& o : *parsed) {
      if (o.type != wanted || o.bytes.size() < 3) continue;
      Bytes echoed = wanted == kIpOptRecordRoute
                         ? EchoRecordRoute(o.bytes, request_dst, entries)
                         : EchoTimestamp(o.bytes, request_dst, entries, clock_ms,
                                         &out.clock_offsets, out.options.size());
      out.options.insert(out.options.end(), echoed.begin(), echoed.end());
      break;
    }
  }
  for (const Ipv4Option& o : *parsed) {
    if ((o.type != kIpOptLooseSourceRoute && o.type != kIpOptStrictSourceRoute) ||
        o.bytes.size() < 3) {
      continue;
    }
    out.has_source_route = true;
    out.source_route_complete = o.bytes[2] > o.bytes[1];
    Bytes reversed = ReverseSourceRoute(o.bytes, request_src, &out.next_hop);
    out.options.insert(out.options.end(), reversed.begin(), reversed.end());
    break;
  }
  while (out.options.size() % 4 != 0) out.options.push_back(kIpOptEnd);
  return out;
}

Bytes MaskClockValues(ByteView options, const std::vector<size_t>& offsets) {
  Bytes out(options.begin(), options.end());
  for (size_t at : offsets) {
    for (size_t i = at; i < at + 4 && i < out.size(); ++i) out[i] = 0;
  }
  return out;
}

}  // namespace llmstack
