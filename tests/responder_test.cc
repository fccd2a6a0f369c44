#include "grade/responder.h"

#include <catch2/catch.hpp>

#include "grade/verify.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::Hex;
using testing::kExperimentRequest;
using testing::Packet;

TEST_CASE("the experiment's packet gets 0x615d and 0x5cf5 under rfc", "[responder]") {
  EchoPacket request = Packet(kExperimentRequest);
  Result<Bytes> reply = BuildReferenceReply(request, Profile::kRfc);
  REQUIRE(reply.ok());
  uint16_t ip_checksum = 0, icmp_checksum = 0;
  PeekBe16(*reply, 10, &ip_checksum);
  PeekBe16(*reply, 22, &icmp_checksum);
  CHECK(ip_checksum == 0x615d);
  CHECK(icmp_checksum == 0x5cf5);
  CHECK(HexEncode(ByteView(*reply).subspan(12, 8)) == "ac100002ac100001");
  CHECK((*reply)[8] == 64);
  CHECK((*reply)[20] == 0);
}

TEST_CASE("reference replies grade correct under their own profile", "[responder]") {
  EchoPacket request = Packet(kExperimentRequest);
  for (Profile profile : {Profile::kRfc, Profile::kLinux, Profile::kDunkels}) {
    Result<Bytes> reply = BuildReferenceReply(request, profile);
    REQUIRE(reply.ok());
    ReplyGrade grade;
    ByteView view(*reply);
    GradeReply(request, AssessRequest(request, profile), &view, profile, &grade);
    INFO(ProfileName(profile));
    for (const FieldVerdict& f : grade.fields) {
      INFO(GetFieldInfo(f.id).name << " " << GradeName(f.grade) << " " << FieldNote(f));
      CHECK(f.grade != FieldGrade::kFail);
    }
    CHECK(grade.verdict == Verdict::kCorrect);
  }
}

}  // namespace
}  // namespace llmstack
