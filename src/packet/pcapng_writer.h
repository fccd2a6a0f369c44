// A pcapng writer for the few block types the tool needs (draft-ietf-opsawg-pcapng §4.1-4.3):
// a Section Header Block with a comment and shb_userappl, one Interface Description Block with
// the input's link type and nanosecond resolution, and an Enhanced Packet Block per frame with
// its direction (epb_flags) and an optional comment. Written in host byte order, as the
// format allows; every option list ends with opt_endofopt.
#ifndef LLMSTACK_PACKET_PCAPNG_WRITER_H_
#define LLMSTACK_PACKET_PCAPNG_WRITER_H_

#include <cstdio>
#include <optional>
#include <string>

#include "base/output_file.h"
#include "packet/capture_writer.h"

namespace llmstack {

class PcapngWriter : public CaptureWriter {
 public:
  // Writes into `file` (a temporary file that Finish() renames into place).
  PcapngWriter(OutputFile file, LinkType link, const CaptureDescription& description);
  // Writes straight into `in_place`, opened on `path` (owned: Finish() closes it), pushing
  // every frame to the file as it is written.
  PcapngWriter(std::string path, FILE* in_place, LinkType link,
               const CaptureDescription& description);
  ~PcapngWriter() override;

  // Whether the two header blocks were written. Errors: kIoError.
  const Status& header_status() const { return header_status_; }
  Status Write(const OutputFrame& frame) override;
  Status Flush() override;
  Status Finish() override;

 private:
  Status Emit(const Bytes& block);
  void WriteHeader(LinkType link, const CaptureDescription& description);

  std::optional<OutputFile> file_;
  std::string path_;
  FILE* in_place_ = nullptr;
  Status header_status_;
};

// The bytes of single blocks, for tests.
Bytes PcapngSectionHeader(const CaptureDescription& description);
Bytes PcapngInterfaceDescription(LinkType link);
Bytes PcapngEnhancedPacket(const OutputFrame& frame);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_PCAPNG_WRITER_H_
