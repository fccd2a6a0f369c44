// libFuzzer target: one IP datagram as a request and as a reply: parsing, dissection, the
// reference reply, and grading in every profile.
#include <cstdint>

#include "grade/responder.h"
#include "grade/verify.h"
#include "packet/dissect.h"
#include "packet/packet_stream.h"
#include "report/run_results.h"

using namespace llmstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView bytes(data, size);
  DissectDatagram(bytes);
  for (NetworkProtocol p : {NetworkProtocol::kIpv4, NetworkProtocol::kIpv6})
    ParseDatagram(bytes, p);
  Result<EchoPacket> packet = EchoPacketFromDatagram(bytes);
  // Grade the bytes as a reply to the experiment's request, and as a request.
  static const Bytes experiment = *HexDecode(
      "45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000"
      "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637");
  static const EchoPacket request = *EchoPacketFromDatagram(experiment);
  ReplyGrade grade;
  for (Profile profile : {Profile::kRfc, Profile::kLinux, Profile::kDunkels}) {
    GradeReply(request, AssessRequest(request, profile), &bytes, profile, &grade);
    RenderFields(grade, request.datagram, bytes);
    if (packet.ok() && packet->is_request()) {
      RequestAssessment a = AssessRequest(*packet, profile);
      Result<Bytes> reply = BuildReferenceReply(*packet, profile);
      ByteView echo(experiment);
      GradeReply(*packet, a, &echo, profile, &grade);
      RenderFields(grade, packet->datagram, echo);
      if (reply.ok()) {
        ByteView view(*reply);
        GradeReply(*packet, a, &view, profile, &grade);
      }
    }
  }
  return 0;
}
