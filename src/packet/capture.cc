#include "packet/capture.h"

#include <pcap/pcap.h>
#include <stdio_ext.h>
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace llmstack {

Timestamp Timestamp::PlusMilliseconds(double ms) const {
  int64_t total_ns = static_cast<int64_t>(std::llround(ms * 1e6));
  int64_t ns = static_cast<int64_t>(nsec) + total_ns;
  Timestamp t;
  t.sec = sec + ns / 1000000000;
  ns %= 1000000000;
  if (ns < 0) {
    ns += 1000000000;
    t.sec -= 1;
  }
  t.nsec = static_cast<uint32_t>(ns);
  return t;
}

double Timestamp::MillisecondsSince(const Timestamp& earlier) const {
  return static_cast<double>(sec - earlier.sec) * 1e3 +
         (static_cast<double>(nsec) - static_cast<double>(earlier.nsec)) / 1e6;
}

namespace {

// The largest snapshot length a classic pcap header may give: libpcap's largest pcapng block
// (sf-pcapng.c MAX_BLOCKSIZE), far above any link's frames.
constexpr uint32_t kMaxFileSnaplen = 16 * 1024 * 1024;

// Reads up to `n` bytes from the start of a file.
Bytes ReadPrefix(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  Bytes out(n);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

// Finds if_tsresol (option 9) in the first Interface Description Block of a pcapng file
// (draft-ietf-opsawg-pcapng §4.2). Returns true for a resolution of 10^-9.
bool PcapngHasNanoseconds(ByteView file) {
  ByteReader r(file);
  uint32_t type, length, magic;
  if (!r.ReadLe32(&type) || type != 0x0a0d0d0a) return false;
  if (!PeekBe32(file, 8, &magic)) return false;
  bool big_endian = magic == 0x1a2b3c4d;
  auto read32 = [&](ByteReader& rd, uint32_t* v) {
    return big_endian ? rd.ReadBe32(v) : rd.ReadLe32(v);
  };
  auto read16 = [&](ByteReader& rd, uint16_t* v) {
    return big_endian ? rd.ReadBe16(v) : rd.ReadLe16(v);
  };
  ByteReader blocks(file);
  for (int i = 0; i < 16; ++i) {
    size_t start = blocks.position();
    if (!read32(blocks, &type) || !read32(blocks, &length) || length < 12 || length % 4 != 0) {
      return false;
    }
    if (type == 1) {
      ByteView body;
      if (!blocks.ReadBytes(length - 8, &body) || body.size() < 12) return false;
      ByteReader options(body.subspan(8, body.size() - 12));
      uint16_t code, option_length;
      while (read16(options, &code) && read16(options, &option_length) && code != 0) {
        ByteView value;
        if (!options.ReadBytes(option_length, &value)) return false;
        if (code == 9 && !value.empty()) return value[0] == 9;
        options.Skip((4 - option_length % 4) % 4);
      }
      return false;
    }
    ByteReader skip(file);
    if (!skip.Skip(start + length)) return false;
    blocks = skip;
  }
  return false;
}

}  // namespace

bool CaptureFileHasNanoseconds(const std::string& path) {
  Bytes prefix = ReadPrefix(path, 4096);
  uint32_t magic;
  if (!PeekBe32(prefix, 0, &magic)) return false;
  if (magic == 0xa1b23c4d || magic == 0x4d3cb2a1) return true;
  if (magic == 0x0a0d0d0a) return PcapngHasNanoseconds(prefix);
  return false;
}

Result<std::unique_ptr<CaptureReader>> CaptureReader::Open(const std::string& name) {
  Result<InputCopy> copy = InputCopy::Of(name);
  if (!copy.ok()) {
    std::string reason = copy.status().message();  // callers name the file
    if (reason.starts_with(name + ": ")) reason.erase(0, name.size() + 2);
    return IoError(reason);
  }
  const std::string path = copy->path();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound("no such file");
    return IoError(std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return IoError("is a directory, not a capture file");
  if (st.st_size == 0) {
    return Malformed(copy->copied() ? "empty input, not a pcap or pcapng capture"
                                    : "empty file, not a pcap or pcapng capture");
  }

  // Opened here rather than by libpcap to give the stream a larger buffer: libpcap reads each
  // record with two small freads, and every refill of the default 4 KiB is a system call.
  // glibc ignores the size given to setvbuf() without a buffer, so the buffer is ours. Only
  // this reader uses the stream, so its freads need not take the stream's lock.
  constexpr size_t kStreamBufferBytes = size_t{1} << 18;
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return IoError(std::strerror(errno));
  std::unique_ptr<char[]> buffer(new char[kStreamBufferBytes]);  // not zeroed: read() fills it
  std::setvbuf(file, buffer.get(), _IOFBF, kStreamBufferBytes);
  __fsetlocking(file, FSETLOCKING_BYCALLER);
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* pcap = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (pcap == nullptr) {
    std::fclose(file);  // libpcap takes the stream only when it succeeds
    std::string reason = errbuf;
    if (reason.find("unknown file format") != std::string::npos) {
      return Malformed("not a pcap or pcapng capture (unknown file format)");
    }
    if (reason.find("Permission denied") != std::string::npos) return IoError(reason);
    return Malformed(reason);
  }
  std::unique_ptr<CaptureReader> reader(new CaptureReader());
  if (copy->copied()) reader->copy_.emplace(std::move(*copy));
  reader->stream_buffer_ = std::move(buffer);
  reader->pcap_ = pcap;
  Result<LinkType> link = LinkTypeFromDlt(pcap_datalink(pcap));
  if (!link.ok()) return link.status();
  reader->link_type_ = *link;
  reader->snaplen_ = static_cast<uint32_t>(pcap_snapshot(pcap));
  reader->nanosecond_ = CaptureFileHasNanoseconds(path);
  Bytes header = ReadPrefix(path, 24);
  uint32_t m = 0;
  PeekBe32(header, 0, &m);
  bool classic = m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1;
  uint32_t file_snaplen = 0;
  if (classic && PeekBe32(header, 16, &file_snaplen)) {
    // The file header's snapshot length (in the file's byte order). libpcap quietly puts an
    // absurd one back to its maximum; a file that claims records of gigabytes is damaged.
    if (m == 0xd4c3b2a1 || m == 0x4d3cb2a1) file_snaplen = __builtin_bswap32(file_snaplen);
    if (file_snaplen > kMaxFileSnaplen) {
      return Malformed("absurd snapshot length " + std::to_string(file_snaplen) +
                       " in the file header (more than " + std::to_string(kMaxFileSnaplen) + ")");
    }
  }
  if (classic && pcap_file(pcap) != nullptr) reader->position_ = std::ftell(pcap_file(pcap));
  return reader;
}

CaptureReader::~CaptureReader() {
  if (pcap_ != nullptr) pcap_close(pcap_);
}

Result<bool> CaptureReader::Next(CapturedFrame* frame) {
  struct pcap_pkthdr* header;
  const u_char* data;
  int rc = pcap_next_ex(pcap_, &header, &data);
  if (rc == PCAP_ERROR_BREAK) return false;
  if (rc != 1) {
    std::string reason = pcap_geterr(pcap_);
    if (reason.empty()) reason = "read error";
    return Malformed("frame " + std::to_string(frames_read_ + 1) + ": " + reason);
  }
  ++frames_read_;
  // libpcap cuts a classic pcap record longer than the snapshot length to that length and
  // skips the rest without a word. Only a record that now has the snapshot length can have
  // been cut; the file position then tells how long it really was.
  if (position_ >= 0) {
    long expected = position_ + 16 + static_cast<long>(header->caplen);
    if (header->caplen >= snaplen_) {
      long actual = std::ftell(pcap_file(pcap_));
      if (actual >= 0 && actual != expected) {
        return Malformed("frame " + std::to_string(frames_read_) + ": record of " +
                         std::to_string(actual - position_ - 16) +
                         " bytes is longer than the file's snapshot length of " +
                         std::to_string(snaplen_));
      }
    }
    position_ = expected;
  }
  frame->number = frames_read_;
  frame->time.sec = header->ts.tv_sec;
  // With PCAP_TSTAMP_PRECISION_NANO, tv_usec holds nanoseconds.
  frame->time.nsec = static_cast<uint32_t>(header->ts.tv_usec);
  frame->captured_length = header->caplen;
  frame->original_length = header->len;
  frame->data = ByteView(data, header->caplen);
  return true;
}

}  // namespace llmstack
