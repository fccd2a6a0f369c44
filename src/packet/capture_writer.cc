#include "packet/capture_writer.h"

#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/output_file.h"
#include "packet/pcapng_writer.h"

namespace llmstack {

namespace {

constexpr int kSnaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN

class PcapWriter : public CaptureWriter {
 public:
  PcapWriter(OutputFile file, pcap_t* dead, pcap_dumper_t* dumper)
      : file_(std::move(file)), dead_(dead), dumper_(dumper) {}
  ~PcapWriter() override {
    if (dumper_ != nullptr) pcap_dump_close(dumper_);
    if (dead_ != nullptr) pcap_close(dead_);
  }

  Status Write(const OutputFrame& frame) override {
    struct pcap_pkthdr header;
    header.ts.tv_sec = static_cast<time_t>(frame.time.sec);
    // With nanosecond precision libpcap stores tv_usec as nanoseconds.
    header.ts.tv_usec =
        static_cast<suseconds_t>(nanosecond_ ? frame.time.nsec : frame.time.nsec / 1000);
    header.caplen = static_cast<uint32_t>(frame.data.size());
    header.len = frame.original_length ? frame.original_length : header.caplen;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame.data.data());
    return Status::Ok();
  }

  Status Flush() override {
    if (pcap_dump_flush(dumper_) != 0) return IoError(file_.path() + ": write failed");
    return Status::Ok();
  }

  Status Finish() override {
    if (pcap_dump_flush(dumper_) != 0) return IoError(file_.path() + ": write failed");
    pcap_dump_close(dumper_);
    dumper_ = nullptr;
    return file_.Commit();
  }

  bool nanosecond_ = false;

 private:
  OutputFile file_;
  pcap_t* dead_;
  pcap_dumper_t* dumper_;
};

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
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(
      DltFromLinkType(link), kSnaplen,
      nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  if (dead == nullptr) return IoError(path + ": libpcap cannot write this link type");
  // libpcap closes the FILE it writes to; give it a duplicate so the OutputFile keeps its own.
  int fd = dup(fileno(file->file()));
  FILE* dup_file = fd >= 0 ? fdopen(fd, "wb") : nullptr;
  if (dup_file == nullptr) {
    if (fd >= 0) close(fd);
    pcap_close(dead);
    return IoError(path + ": " + std::strerror(errno));
  }
  pcap_dumper_t* dumper = pcap_dump_fopen(dead, dup_file);
  if (dumper == nullptr) {
    std::string reason = pcap_geterr(dead);
    fclose(dup_file);
    pcap_close(dead);
    return IoError(path + ": " + reason);
  }
  auto writer = std::make_unique<PcapWriter>(std::move(*file), dead, dumper);
  writer->nanosecond_ = nanosecond;
  return std::unique_ptr<CaptureWriter>(std::move(writer));
}

namespace {

// pcapng written in place: the blocks of the pcapng writer, flushed frame by frame.
class InPlacePcapngWriter : public CaptureWriter {
 public:
  InPlacePcapngWriter(std::string path, FILE* file) : path_(std::move(path)), file_(file) {}
  ~InPlacePcapngWriter() override {
    if (file_ != nullptr) fclose(file_);
  }

  Status Emit(const Bytes& block) {
    if (file_ == nullptr) return IoError(path_ + ": already closed");
    if (fwrite(block.data(), 1, block.size(), file_) != block.size()) {
      return IoError(path_ + ": write failed: " + std::strerror(errno));
    }
    return Status::Ok();
  }

  Status Write(const OutputFrame& frame) override {
    Status s = Emit(PcapngEnhancedPacket(frame));
    return s.ok() ? Flush() : s;
  }

  Status Flush() override {
    if (file_ == nullptr) return IoError(path_ + ": already closed");
    if (fflush(file_) != 0) return IoError(path_ + ": write failed: " + std::strerror(errno));
    return Status::Ok();
  }

  Status Finish() override {
    if (file_ == nullptr) return IoError(path_ + ": already closed");
    bool ok = fflush(file_) == 0;
    int error = errno;
    ok = fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok) return IoError(path_ + ": write failed: " + std::strerror(error));
    return Status::Ok();
  }

 private:
  std::string path_;
  FILE* file_;
};

// Classic pcap written in place through libpcap, flushed frame by frame.
class InPlacePcapWriter : public CaptureWriter {
 public:
  InPlacePcapWriter(std::string path, pcap_t* dead, pcap_dumper_t* dumper, bool nanosecond)
      : path_(std::move(path)), dead_(dead), dumper_(dumper), nanosecond_(nanosecond) {}
  ~InPlacePcapWriter() override {
    if (dumper_ != nullptr) pcap_dump_close(dumper_);
    pcap_close(dead_);
  }

  Status Write(const OutputFrame& frame) override {
    if (dumper_ == nullptr) return IoError(path_ + ": already closed");
    struct pcap_pkthdr header;
    header.ts.tv_sec = static_cast<time_t>(frame.time.sec);
    header.ts.tv_usec =
        static_cast<suseconds_t>(nanosecond_ ? frame.time.nsec : frame.time.nsec / 1000);
    header.caplen = static_cast<uint32_t>(frame.data.size());
    header.len = frame.original_length ? frame.original_length : header.caplen;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame.data.data());
    return Flush();
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
    return s;
  }

 private:
  std::string path_;
  pcap_t* dead_;
  pcap_dumper_t* dumper_;
  bool nanosecond_;
};

}  // namespace

Result<std::unique_ptr<CaptureWriter>> OpenInPlaceCaptureWriter(
    const std::string& path, LinkType link, bool nanosecond,
    const CaptureDescription& description) {
  if (HasPcapngExtension(path)) {
    FILE* file = fopen(path.c_str(), "wb");
    if (file == nullptr) return IoError(path + ": " + std::strerror(errno));
    auto writer = std::make_unique<InPlacePcapngWriter>(path, file);
    Status s = writer->Emit(PcapngSectionHeader(description));
    if (s.ok()) s = writer->Emit(PcapngInterfaceDescription(link));
    if (s.ok()) s = writer->Flush();
    if (!s.ok()) return s;
    return std::unique_ptr<CaptureWriter>(std::move(writer));
  }
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(
      DltFromLinkType(link), kSnaplen,
      nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  if (dead == nullptr) return IoError(path + ": libpcap cannot write this link type");
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  if (dumper == nullptr) {
    std::string reason = pcap_geterr(dead);
    pcap_close(dead);
    return IoError(path + ": " + reason);
  }
  auto writer = std::make_unique<InPlacePcapWriter>(path, dead, dumper, nanosecond);
  Status s = writer->Flush();
  if (!s.ok()) return s;
  return std::unique_ptr<CaptureWriter>(std::move(writer));
}

}  // namespace llmstack
