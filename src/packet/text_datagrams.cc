#include "packet/text_datagrams.h"

#include <algorithm>

#include "base/hex_text.h"

namespace llmstack {

namespace {

// The smallest datagram worth reading: an IPv4 header and an ICMP echo header.
constexpr size_t kMinDatagram = 28;

// The length an IP header at the start of `bytes` gives its datagram; 0 when the bytes do not
// start with a plausible header (version, IHL).
size_t ClaimedLength(ByteView bytes) {
  uint16_t length = 0;
  if (bytes.size() >= 20 && bytes[0] >> 4 == 4 && (bytes[0] & 0x0f) >= 5) {
    PeekBe16(bytes, 2, &length);  // RFC 791 3.1: total length, header included
    return length >= size_t{bytes[0] & 0x0fu} * 4 ? length : 0;
  }
  if (bytes.size() >= 40 && bytes[0] >> 4 == 6) {
    PeekBe16(bytes, 4, &length);  // RFC 8200 3: payload length, after the 40-byte header
    return size_t{length} + 40;
  }
  return 0;
}

// Whether `bytes` starts like an IP header (version and, for IPv4, IHL), however short.
bool StartsPlausibly(ByteView bytes) {
  return !bytes.empty() && ((bytes[0] >> 4 == 4 && (bytes[0] & 0x0f) >= 5) || bytes[0] >> 4 == 6);
}

bool AtLineStart(std::string_view text, size_t i) {
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
  return i == 0 || text[i - 1] == '\n';
}

bool AtLineEnd(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
  return i == text.size() || text[i] == '\n';
}

TextDatagram Make(std::string_view text, const HexRun& run, size_t first_group, size_t end_group,
                  size_t byte_end, bool exact) {
  TextDatagram d;
  size_t byte_begin = run.groups[first_group].byte;
  d.begin = run.groups[first_group].begin;
  d.end = run.groups[end_group - 1].end;
  d.bytes.assign(run.bytes.begin() + byte_begin, run.bytes.begin() + byte_end);
  d.exact = exact;
  d.left_before = byte_begin;
  d.left_after = run.bytes.size() - byte_end;
  d.whole_lines = AtLineStart(text, run.begin) && AtLineEnd(text, run.end);
  Result<EchoPacket> echo = EchoPacketFromDatagram(d.bytes);
  if (echo.ok() && !echo->truncated) d.echo = std::move(*echo);
  return d;
}

void DatagramsInRun(std::string_view text, const HexRun& run, size_t min_inexact,
                    std::vector<TextDatagram>* out) {
  ByteView all(run.bytes);
  const size_t groups = run.groups.size();
  // group_at[b]: the group that starts at byte b (or `groups` at the end), else none.
  constexpr size_t kNoGroup = static_cast<size_t>(-1);
  std::vector<size_t> group_at(all.size() + 1, kNoGroup);
  for (size_t g = 0; g < groups; ++g) group_at[run.groups[g].byte] = g;
  group_at[all.size()] = groups;
  bool found = false;
  for (size_t g = 0; g < groups;) {
    size_t begin = run.groups[g].byte;
    size_t length = ClaimedLength(all.subspan(begin));
    size_t end = begin + length;
    if (length >= kMinDatagram && end <= all.size()) {
      // It must end where a group ends.
      if (size_t end_group = group_at[end]; end_group != kNoGroup) {
        out->push_back(Make(text, run, g, end_group, end, true));
        found = true;
        g = end_group;
        continue;
      }
    }
    ++g;
  }
  if (found || min_inexact == 0) return;
  for (size_t g = 0; g < groups; ++g) {
    ByteView rest = all.subspan(run.groups[g].byte);
    if (rest.size() >= min_inexact && StartsPlausibly(rest)) {
      out->push_back(Make(text, run, g, groups, all.size(), false));
      return;
    }
  }
}

}  // namespace

std::vector<TextDatagram> FindTextDatagrams(std::string_view text, size_t min_inexact) {
  std::vector<TextDatagram> out;
  size_t min_run = min_inexact ? std::min(min_inexact, kMinDatagram) : kMinDatagram;
  for (const HexRun& run : FindHexRuns(text, min_run)) DatagramsInRun(text, run, min_inexact, &out);
  return out;
}

}  // namespace llmstack
