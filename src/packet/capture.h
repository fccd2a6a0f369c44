// Reading capture files (pcap in both byte orders and resolutions, pcapng) through libpcap.
#ifndef LLMSTACK_PACKET_CAPTURE_H_
#define LLMSTACK_PACKET_CAPTURE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/input_copy.h"
#include "base/status.h"
#include "packet/link.h"

typedef struct pcap pcap_t;

namespace llmstack {

struct Timestamp {
  int64_t sec = 0;
  uint32_t nsec = 0;

  double Seconds() const { return static_cast<double>(sec) + nsec / 1e9; }
  // This time plus `ms` milliseconds.
  Timestamp PlusMilliseconds(double ms) const;
  // Milliseconds from `earlier` to this time (negative when this is earlier).
  double MillisecondsSince(const Timestamp& earlier) const;
};

struct CapturedFrame {
  uint64_t number = 0;  // counts from 1, as Wireshark does
  Timestamp time;
  uint32_t captured_length = 0;
  uint32_t original_length = 0;
  ByteView data;  // captured bytes; valid until the next Next()
};

// A frame as it was captured, kept so the main job can copy request frames to its output.
struct StoredFrame {
  uint64_t number = 0;
  Timestamp time;
  uint32_t original_length = 0;
  Bytes data;
};

class CaptureReader {
 public:
  // Opens a pcap or pcapng file, keeping nanosecond timestamps. "-" (standard input) and other
  // streams (a pipe, a FIFO) are first copied whole to a temporary file (base/input_copy.h),
  // removed when the reader is destroyed.
  // Errors (the message names the problem, not the file; callers add the path):
  // kNotFound, kIoError (a directory, unreadable), kMalformed (empty, not a capture, broken
  // header), kUnsupported (a link type the tool does not handle).
  static Result<std::unique_ptr<CaptureReader>> Open(const std::string& path);
  ~CaptureReader();
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;

  LinkType link_type() const { return link_type_; }
  uint32_t snaplen() const { return snaplen_; }
  // Whether the file records nanoseconds (pcap magic a1b23c4d, pcapng if_tsresol 9).
  bool nanosecond_resolution() const { return nanosecond_; }

  // Reads the next frame into `frame`. Returns false at the end of the file.
  // Errors: kMalformed with libpcap's reason (a record cut short, an absurd length, a broken
  // pcapng block), or a classic pcap record longer than the file's snapshot length (which
  // libpcap would silently cut to it).
  Result<bool> Next(CapturedFrame* frame);

 private:
  CaptureReader() = default;
  std::optional<InputCopy> copy_;  // of a stream; destroyed after pcap_ is closed
  // The stdio buffer of the stream libpcap reads; freed after pcap_close() closes the stream.
  std::unique_ptr<char[]> stream_buffer_;
  pcap_t* pcap_ = nullptr;
  LinkType link_type_ = LinkType::kRaw;
  uint32_t snaplen_ = 0;
  bool nanosecond_ = false;
  uint64_t frames_read_ = 0;
  // Classic pcap: the file offset of the next record (records are a 16-byte header and the
  // captured bytes); -1 for pcapng.
  long position_ = -1;
};

// Whether a capture file's header declares nanosecond timestamps; false when unsure.
bool CaptureFileHasNanoseconds(const std::string& path);

}  // namespace llmstack

#endif  // LLMSTACK_PACKET_CAPTURE_H_
