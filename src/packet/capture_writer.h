// Writing output captures: classic pcap through libpcap, or pcapng (libpcap 1.10 cannot write
// it) with a section comment describing the run and a comment on every reply.
#ifndef LLMSTACK_PACKET_CAPTURE_WRITER_H_
#define LLMSTACK_PACKET_CAPTURE_WRITER_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/status.h"
#include "packet/capture.h"
#include "packet/link.h"

namespace llmstack {

struct OutputFrame {
  Timestamp time;
  ByteView data;
  uint32_t original_length = 0;  // 0: same as data.size()
  bool outbound = false;         // pcapng epb_flags direction: sent by this host
  std::string_view comment;      // pcapng opt_comment; empty for none
};

struct CaptureDescription {
  std::string comment;      // pcapng section comment: tool, version, model, prompt, profile
  std::string application;  // pcapng shb_userappl
};

class CaptureWriter {
 public:
  virtual ~CaptureWriter() = default;
  virtual Status Write(const OutputFrame& frame) = 0;
  // Pushes what is written so far to the (temporary) file.
  virtual Status Flush() = 0;
  // Completes the file and renames it into place. Without it, nothing is left behind.
  virtual Status Finish() = 0;
};

// Opens a writer by the file's extension: ".pcapng" writes pcapng, anything else classic pcap.
// `nanosecond` selects the timestamp resolution. Errors: kIoError.
Result<std::unique_ptr<CaptureWriter>> OpenCaptureWriter(const std::string& path, LinkType link,
                                                         bool nanosecond,
                                                         const CaptureDescription& description);

bool HasPcapngExtension(const std::string& path);

// Opens a writer that writes straight to `path`, with no temporary file, and pushes every frame
// to the file as it is written: at any moment the file is a valid capture up to its last
// frame, so it can be watched while it grows (`tail -c +1 -f FILE | wireshark -k -i -`) and a
// run that is killed keeps what it recorded. For records of live traffic, where that matters
// more than never leaving a partial file behind. An existing file is replaced, as by
// `tcpdump -w`. Finish() closes it. Errors: kIoError.
Result<std::unique_ptr<CaptureWriter>> OpenInPlaceCaptureWriter(
    const std::string& path, LinkType link, bool nanosecond, const CaptureDescription& description);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_CAPTURE_WRITER_H_
