#include "packet/capture_writer.h"

#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/output_file.h"
#include "packet/pcapng_writer.h"

namespace llmstack {

namespace {

constexpr int kSnaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN

// Classic pcap through libpcap: into a temporary file renamed into place by Finish(), or
// straight into the file, each frame flushed as it is written.
class PcapWriter : public CaptureWriter {
 public:
  PcapWriter(std::optional<OutputFile> file, std::string path, pcap_t* dead, pcap_dumper_t* dumper,
             bool nanosecond)
      : file_(std::move(file)),
        path_(std::move(path)),
        dead_(dead),
        dumper_(dumper),
        nanosecond_(nanosecond) {}
  ~PcapWriter() override {
    if (dumper_ != nullptr) pcap_dump_close(dumper_);
    pcap_close(dead_);
  }

  Status Write(const OutputFrame& frame) override {
    if (dumper_ == nullptr) return IoError(path_ + ": already closed");
    struct pcap_pkthdr header;
    header.ts.tv_sec = static_cast<time_t>(frame.time.sec);
    // With nanosecond precision libpcap stores tv_usec as nanoseconds.
    header.ts.tv_usec =
        static_cast<suseconds_t>(nanosecond_ ? frame.time.nsec : frame.time.nsec / 1000);
    header.caplen = static_cast<uint32_t>(frame.data.size());
    header.len = frame.original_length ? frame.original_length : header.caplen;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame.data.data());
    return file_ ? Status::Ok() : Flush();
  }

  Status Flush() override {
    if (dumper_ == nullptr) return IoError(path_ + ": already closed");
    if (pcap_dump_flush(dumper_) != 0) return IoError(path_ + ": write failed");
    return Status::Ok();
  }

  Status Finish() override {
    Status s = Flush();
    if (dumper_ != nullptr) pcap_dump_close(dumper_);
    dumper_ = nullptr;
    if (!s.ok() || !file_) return s;
    return file_->Commit();
  }

 private:
  std::optional<OutputFile> file_;  // none when written in place
  std::string path_;
  pcap_t* dead_;
  pcap_dumper_t* dumper_;
  bool nanosecond_;
};

// A classic pcap writer on `file` (a temporary file) or, without it, on `path` in place.
Result<std::unique_ptr<CaptureWriter>> OpenPcapWriter(std::optional<OutputFile> file,
                                                      const std::string& path, LinkType link,
                                                      bool nanosecond) {
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(
      DltFromLinkType(link), kSnaplen,
      nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  if (dead == nullptr) return IoError(path + ": libpcap cannot write this link type");
  pcap_dumper_t* dumper = nullptr;
  if (file) {
    // libpcap closes the FILE it writes to; give it a duplicate so the OutputFile keeps its own.
    int fd = dup(fileno(file->file()));
    FILE* dup_file = fd >= 0 ? fdopen(fd, "wb") : nullptr;
    if (dup_file == nullptr) {
      if (fd >= 0) close(fd);
      pcap_close(dead);
      return IoError(path + ": " + std::strerror(errno));
    }
    dumper = pcap_dump_fopen(dead, dup_file);
    if (dumper == nullptr) fclose(dup_file);
  } else {
    dumper = pcap_dump_open(dead, path.c_str());
  }
  if (dumper == nullptr) {
    std::string reason = pcap_geterr(dead);
    pcap_close(dead);
    return IoError(path + ": " + reason);
  }
  bool in_place = !file;
  auto writer = std::make_unique<PcapWriter>(std::move(file), path, dead, dumper, nanosecond);
  if (in_place) {
    Status s = writer->Flush();
    if (!s.ok()) return s;
  }
  return std::unique_ptr<CaptureWriter>(std::move(writer));
}

}  // namespace

bool HasPcapngExtension(const std::string& path) {
  return path.size() >= 7 && path.compare(path.size() - 7, 7, ".pcapng") == 0;
}

Result<std::unique_ptr<CaptureWriter>> OpenCaptureWriter(const std::string& path, LinkType link,
                                                         bool nanosecond,
                                                         const CaptureDescription& description) {
  Result<OutputFile> file = OutputFile::Open(path);
  if (!file.ok()) return file.status();
  if (HasPcapngExtension(path)) {
    return std::unique_ptr<CaptureWriter>(new PcapngWriter(std::move(*file), link, description));
  }
  return OpenPcapWriter(std::move(*file), path, link, nanosecond);
}

Result<std::unique_ptr<CaptureWriter>> OpenInPlaceCaptureWriter(
    const std::string& path, LinkType link, bool nanosecond,
    const CaptureDescription& description) {
  if (!HasPcapngExtension(path)) return OpenPcapWriter(std::nullopt, path, link, nanosecond);
  FILE* file = fopen(path.c_str(), "wb");
  if (file == nullptr) return IoError(path + ": " + std::strerror(errno));
  auto writer = std::make_unique<PcapngWriter>(path, file, link, description);
  if (!writer->header_status().ok()) return writer->header_status();
  return std::unique_ptr<CaptureWriter>(std::move(writer));
}

}  // namespace llmstack
