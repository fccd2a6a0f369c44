#include "packet/dissect.h"

#include <algorithm>
#include <cstdio>

#include "packet/checksum.h"
#include "packet/icmp.h"
#include "packet/ip.h"
#include "packet/packet_stream.h"

namespace llmstack {

namespace {

struct Layout {
  const char* name;
  size_t offset;
  size_t length;  // bytes needed to read it
};

class Dissector {
 public:
  Dissector(ByteView d, Dissection* out) : d_(d), out_(out) {}

  // Adds a field if its bytes are present; otherwise records it as missing. Returns presence.
  bool Field(const char* name, size_t offset, size_t length, const std::string& value,
             size_t shown = SIZE_MAX) {
    if (offset + length > d_.size()) {
      if (out_->ends_inside.empty() && offset < d_.size()) {
        out_->ends_inside = name;
      }
      out_->missing.push_back(name);
      return false;
    }
    out_->fields.push_back({name, offset, shown == SIZE_MAX ? length : shown, value});
    return true;
  }
  // An address field (4 or 16 bytes), shown in dotted or colon form.
  bool AddressField(const char* name, size_t offset, size_t length) {
    return Field(name, offset, length,
                 Have(offset, length) ? FormatAddress(d_.subspan(offset, length)) : "");
  }
  bool Have(size_t offset, size_t length) const { return offset + length <= d_.size(); }
  uint8_t U8(size_t o) const { return U8OrZero(d_, o); }
  uint16_t U16(size_t o) const { return Be16OrZero(d_, o); }

 private:
  ByteView d_;
  Dissection* out_;
};

std::string Num(uint32_t v) { return std::to_string(v); }

const char* IcmpTypeName(bool v6, uint8_t type) {
  if (!v6) {
    switch (type) {
      case 0:
        return "Echo (ping) reply";
      case 3:
        return "Destination unreachable";
      case 8:
        return "Echo (ping) request";
      case 11:
        return "Time-to-live exceeded";
      case 13:
        return "Timestamp request";
      case 14:
        return "Timestamp reply";
      default:
        return "other";
    }
  }
  switch (type) {
    case 128:
      return "Echo (ping) request";
    case 129:
      return "Echo (ping) reply";
    case 135:
      return "Neighbor Solicitation";
    case 136:
      return "Neighbor Advertisement";
    default:
      return "other";
  }
}

const char* OptionName(uint8_t type) {
  switch (type) {
    case kIpOptEnd:
      return "End of Options List";
    case kIpOptNop:
      return "No-Operation";
    case kIpOptRecordRoute:
      return "Record Route";
    case kIpOptTimestamp:
      return "Time Stamp";
    case kIpOptLooseSourceRoute:
      return "Loose Source Route";
    case kIpOptStrictSourceRoute:
      return "Strict Source Route";
    default:
      return "option";
  }
}

// `declared_end` is where the IP length says the datagram ends.
void DissectIcmp(Dissector& x, ByteView d, size_t h, bool v6, size_t declared_end,
                 Dissection* out) {
  ByteView header = d.first(std::min(h, d.size()));
  const char* type_name = v6 ? "icmpv6.type" : "icmp.type";
  uint8_t type = x.U8(h);
  if (!x.Field(type_name, h, 1, Num(type) + " (" + IcmpTypeName(v6, type) + ")")) return;
  x.Field(v6 ? "icmpv6.code" : "icmp.code", h + 1, 1, Num(x.U8(h + 1)));
  out->is_echo = v6 ? (type == 128 || type == 129) : (type == 0 || type == 8);
  std::string status;
  if (x.Have(h, 4)) {
    ByteView message = d.subspan(h);
    bool good =
        v6 ? (header.size() >= 40 && IcmpChecksumVerifies(IpFamily::kIpv6, header.subspan(8, 16),
                                                          header.subspan(24, 16), message))
           : IcmpChecksumVerifies(IpFamily::kIpv4, {}, {}, message);
    status = good ? " [good]" : " [bad]";
    if (declared_end > d.size()) status = " [unverified: the message is cut short]";
  }
  x.Field(v6 ? "icmpv6.checksum" : "icmp.checksum", h + 2, 2, Hex16(x.U16(h + 2)) + status);
  if (!out->is_echo) {
    if (d.size() > h + 4)
      x.Field("data", h + 4, d.size() - h - 4,
              Num(static_cast<uint32_t>(d.size() - h - 4)) + " bytes");
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u (0x%04x)", x.U16(h + 4), x.U16(h + 4));
  x.Field(v6 ? "icmpv6.echo.identifier" : "icmp.ident", h + 4, 2, buf);
  std::snprintf(buf, sizeof buf, "%u (0x%04x)", x.U16(h + 6), x.U16(h + 6));
  x.Field(v6 ? "icmpv6.echo.sequence_number" : "icmp.seq", h + 6, 2, buf);
  size_t data = d.size() > h + 8 ? d.size() - h - 8 : 0;
  size_t declared = declared_end > h + 8 ? declared_end - h - 8 : 0;
  if (data > 0) {
    std::string value = Num(static_cast<uint32_t>(data)) + " bytes";
    if (declared > data)
      value += " of the " + Num(static_cast<uint32_t>(declared)) + " the IP length says";
    x.Field("data", h + 8, data, value);
  } else if (d.size() == h + 8 && declared == 0) {
    out->fields.push_back({"data", h + 8, 0, "0 bytes"});
  }
  if (declared > data) {
    out->missing.push_back(data == 0 ? std::string("data")
                                     : "the last " + Num(static_cast<uint32_t>(declared - data)) +
                                           " data bytes");
  }
}

void DissectIpv4(Dissector& x, ByteView d, Dissection* out) {
  uint8_t vi = x.U8(0);
  size_t ihl = size_t{vi & 0x0fu} * 4;
  x.Field("ip.version", 0, 1, Num(vi >> 4));
  if (!x.Field("ip.hdr_len", 0, 1,
               Num(static_cast<uint32_t>(ihl)) + " bytes (IHL " + Num(vi & 0xf) + ")", 0))
    return;
  if (ihl < 20)
    out->problems.push_back("header length " + Num(static_cast<uint32_t>(ihl)) +
                            " is below 20 (IHL < 5)");
  uint8_t tos = x.U8(1);
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%02x (DSCP %u, ECN %u)", tos, tos >> 2, tos & 3);
  x.Field("ip.dsfield", 1, 1, buf);
  uint16_t total = x.U16(2);
  if (x.Field("ip.len", 2, 2, Num(total)) && total != d.size()) {
    out->problems.push_back("total length says " + Num(total) + " bytes, the datagram has " +
                            Num(static_cast<uint32_t>(d.size())));
  }
  x.Field("ip.id", 4, 2, Hex16(x.U16(4)) + " (" + Num(x.U16(4)) + ")");
  uint16_t flags = x.U16(6);
  std::string flag_names;
  if (flags & 0x8000) flag_names += " RB";
  if (flags & 0x4000) flag_names += " DF";
  if (flags & 0x2000) flag_names += " MF";
  if (x.Field("ip.flags", 6, 1,
              Hex8(static_cast<uint8_t>(flags >> 8 & 0xe0)) +
                  (flag_names.empty() ? "" : ":" + flag_names))) {
    x.Field("ip.frag_offset", 6, 2, Num(flags & 0x1fff), 0);
  }
  x.Field("ip.ttl", 8, 1, Num(x.U8(8)));
  uint8_t proto = x.U8(9);
  x.Field("ip.proto", 9, 1, Num(proto) + (proto == 1 ? " (ICMP)" : ""));
  std::string status;
  if (ihl >= 20 && x.Have(0, ihl)) status = ChecksumVerifies(d.first(ihl)) ? " [good]" : " [bad]";
  x.Field("ip.checksum", 10, 2, Hex16(x.U16(10)) + status);
  x.AddressField("ip.src", 12, 4);
  x.AddressField("ip.dst", 16, 4);
  if (ihl > 20) {
    if (!x.Have(0, ihl)) {
      x.Field("ip.options", 20, ihl - 20, "");
      return;
    }
    Result<std::vector<Ipv4Option>> options = ParseIpv4Options(d.subspan(20, ihl - 20));
    if (!options.ok()) {
      out->problems.push_back(options.status().message());
      x.Field("ip.options", 20, ihl - 20, "malformed");
    } else {
      for (const Ipv4Option& o : *options) {
        std::string value = OptionName(o.type);
        if (o.bytes.size() >= 3)
          value += ", length " + Num(o.bytes[1]) + ", pointer " + Num(o.bytes[2]);
        x.Field("ip.opt.type", o.offset, o.bytes.size(), Num(o.type) + " (" + value + ")");
      }
    }
  }
  out->header_length = std::max<size_t>(ihl, 20);
  if (proto == kIpProtoIcmp && !(flags & 0x3fff)) {
    DissectIcmp(x, d, out->header_length, false, total, out);
  }
}

void DissectIpv6(Dissector& x, ByteView d, Dissection* out) {
  uint32_t first = 0;
  PeekBe32(d, 0, &first);
  x.Field("ipv6.version", 0, 1, Num(first >> 28));
  char buf[48];
  std::snprintf(buf, sizeof buf, "0x%02x", first >> 20 & 0xff);
  x.Field("ipv6.tclass", 0, 2, buf, 0);
  std::snprintf(buf, sizeof buf, "0x%05x", first & 0xfffff);
  x.Field("ipv6.flow", 1, 3, buf);
  uint16_t plen = x.U16(4);
  if (x.Field("ipv6.plen", 4, 2, Num(plen)) && 40u + plen != d.size()) {
    out->problems.push_back("payload length says " + Num(plen) + " bytes, the datagram has " +
                            Num(static_cast<uint32_t>(d.size() > 40 ? d.size() - 40 : 0)));
  }
  x.Field("ipv6.nxt", 6, 1, Num(x.U8(6)));
  x.Field("ipv6.hlim", 7, 1, Num(x.U8(7)));
  x.AddressField("ipv6.src", 8, 16);
  x.AddressField("ipv6.dst", 24, 16);
  if (d.size() < 40) return;
  Result<Datagram> parsed = ParseDatagram(d, NetworkProtocol::kIpv6);
  size_t h = 40;
  uint8_t upper = x.U8(6);
  if (parsed.ok()) {
    h = parsed->header_length;
    upper = parsed->protocol;
    if (h > 40)
      x.Field("ipv6.ext", 40, h - 40,
              Num(static_cast<uint32_t>(h - 40)) + " bytes of extension headers");
    if (parsed->is_fragment) return;
  } else {
    out->problems.push_back(parsed.status().message());
    return;
  }
  out->header_length = h;
  if (upper == kIpProtoIcmpv6) DissectIcmp(x, d, h, true, 40 + size_t{plen}, out);
}

}  // namespace

Dissection DissectDatagram(ByteView d) {
  Dissection out;
  Dissector x(d, &out);
  if (d.empty()) {
    out.summary = "empty: no bytes at all";
    out.missing.push_back("ip.version");
    return out;
  }
  out.is_ipv6 = d[0] >> 4 == 6;
  if (out.is_ipv6) {
    DissectIpv6(x, d, &out);
  } else {
    if (d[0] >> 4 != 4) out.problems.push_back("version " + Num(d[0] >> 4) + " is neither 4 nor 6");
    DissectIpv4(x, d, &out);
  }
  std::string family = out.is_ipv6 ? "IPv6" : "IPv4";
  out.summary = family + " datagram, " + Num(static_cast<uint32_t>(d.size())) + " bytes";
  Result<EchoPacket> echo = EchoPacketFromDatagram(d);
  if (echo.ok()) {
    char buf[200];
    std::snprintf(buf, sizeof buf, ": ICMP%s echo %s %s -> %s, id 0x%04x, seq %u, %zu data bytes",
                  out.is_ipv6 ? "v6" : "", echo->is_request() ? "request" : "reply",
                  FormatAddress(echo->src()).c_str(), FormatAddress(echo->dst()).c_str(),
                  echo->ident, echo->seq,
                  echo->message().size() > 8 ? echo->message().size() - 8 : size_t{0});
    out.summary += buf;
  }
  if (!out.missing.empty()) out.summary += " (cut short)";
  return out;
}

std::vector<std::string> FormatDissection(const Dissection& d, ByteView datagram) {
  std::vector<std::string> lines;
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %6s  %-14s %-28s %s", "offset", "bytes", "field", "value");
  lines.emplace_back(buf);
  for (const DissectedField& f : d.fields) {
    std::string bytes;
    if (f.length > 0 && f.offset < datagram.size()) {
      size_t n = std::min<size_t>({f.length, 4, datagram.size() - f.offset});
      for (size_t i = 0; i < n; ++i) {
        if (i) bytes += ' ';
        bytes += HexEncode(datagram.subspan(f.offset + i, 1));
      }
      if (f.length > 4) bytes += " ...";
    }
    std::snprintf(buf, sizeof buf, "  %6zu  %-14s %-28s %s", f.offset, bytes.c_str(),
                  f.name.c_str(), f.value.c_str());
    lines.emplace_back(buf);
  }
  return lines;
}

}  // namespace llmstack
