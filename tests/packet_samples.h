// Sample packets for the packet-core tests: the original experiment's request and the echo
// requests and replies in captures/ (recorded from a real Linux kernel, or crafted), read
// through the product's own capture reader.
#ifndef LLMSTACK_TESTS_PACKET_SAMPLES_H_
#define LLMSTACK_TESTS_PACKET_SAMPLES_H_

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "grade/responder.h"
#include "packet/capture.h"
#include "packet/packet_stream.h"
#include "test_support.h"

namespace llmstack::testing {

// Capture files under captures/ whose names start with `prefix`, sorted, as paths relative to
// the source directory.
inline std::vector<std::string> CapturesNamed(const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("captures"))) {
    std::string name = entry.path().filename().string();
    bool capture = name.ends_with(".pcap") || name.ends_with(".pcapng");
    if (capture && name.starts_with(prefix)) out.push_back("captures/" + name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every echo request and reply of a capture, in capture order.
inline std::vector<EchoPacket> ReadEchoPackets(const std::string& relative) {
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(SourcePath(relative));
  if (!reader.ok()) throw std::runtime_error(relative + ": " + reader.status().message());
  PacketStream stream(reader->get(), false);
  std::vector<EchoPacket> out;
  EchoPacket p;
  for (;;) {
    Result<bool> more = stream.Next(&p);
    if (!more.ok()) throw std::runtime_error(relative + ": " + more.status().message());
    if (!*more) break;
    out.push_back(p);
  }
  return out;
}

// Echo requests that a correct stack answers (or may answer) under `profile`, each datagram
// once: the experiment's packet, then every such request in the kernel-* and crafted-*
// captures (many sizes, odd lengths, TOS, patterns, options, fragments reassembled, ICMPv6,
// code 5, the all-zero message, checksum carry cases, every link type).
inline std::vector<EchoPacket> SampleRequests(Profile profile) {
  std::vector<EchoPacket> out = {Packet(kExperimentRequest)};
  std::set<Bytes> seen = {out[0].datagram};
  std::vector<std::string> files = CapturesNamed("kernel-");
  for (const std::string& f : CapturesNamed("crafted-")) {
    if (f.find("unsupported") == std::string::npos) files.push_back(f);
  }
  for (const std::string& f : files) {
    for (EchoPacket& p : ReadEchoPackets(f)) {
      if (!p.is_request()) continue;
      RequestAssessment a = AssessRequest(p, profile);
      if (a.truncated || a.expectation == ReplyExpectation::kForbidden) continue;
      if (!BuildReferenceReply(p, profile).ok()) continue;  // e.g. to a multicast group
      if (!seen.insert(p.datagram).second) continue;
      out.push_back(std::move(p));
    }
  }
  return out;
}

inline constexpr Profile kAllProfiles[] = {Profile::kRfc, Profile::kLinux, Profile::kDunkels};

}  // namespace llmstack::testing

#endif  // LLMSTACK_TESTS_PACKET_SAMPLES_H_
