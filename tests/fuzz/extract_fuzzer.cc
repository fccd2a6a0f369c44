// libFuzzer target: a model's answer (untrusted text) turned into reply bytes.
#include <cstdint>
#include <string_view>

#include "model/extract.h"
#include "packet/packet_stream.h"

using namespace llmstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Bytes experiment = *HexDecode(
      "45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000"
      "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637");
  static const EchoPacket request = *EchoPacketFromDatagram(experiment);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ExtractReply(text, request);
  HexDecodeLenient(text);
  return 0;
}
