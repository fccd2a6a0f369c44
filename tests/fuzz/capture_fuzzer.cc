// libFuzzer target: capture files (pcap, pcapng) read through libpcap, frames decoded, echo
// messages reassembled and graded, exactly as `grade` does.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "grade/responder.h"
#include "grade/verify.h"
#include "packet/capture.h"
#include "packet/packet_stream.h"

using namespace llmstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An in-memory file with a path, so the reader is exercised exactly as on disk.
  int fd = memfd_create("capture", 0);
  if (fd < 0) return 0;
  if (write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return 0;
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(path);
  if (reader.ok()) {
    PacketStream stream(reader->get(), true);
    EchoPacket packet, previous;
    bool have_previous = false;
    ReplyGrade grade;
    for (int i = 0; i < 10000; ++i) {
      Result<bool> more = stream.Next(&packet);
      if (!more.ok() || !*more) break;
      for (Profile profile : {Profile::kRfc, Profile::kLinux, Profile::kDunkels}) {
        if (packet.is_request()) {
          RequestAssessment a = AssessRequest(packet, profile);
          Result<Bytes> reply = BuildReferenceReply(packet, profile);
          if (reply.ok()) {
            ByteView view(*reply);
            GradeReply(packet, a, &view, profile, &grade);
          }
        } else if (have_previous && previous.is_request()) {
          ByteView view(packet.datagram);
          GradeReply(previous, AssessRequest(previous, profile), &view, profile, &grade);
        }
      }
      previous = packet;
      have_previous = true;
    }
  }
  close(fd);
  return 0;
}
