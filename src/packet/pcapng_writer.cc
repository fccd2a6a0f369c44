#include "packet/pcapng_writer.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "base/text_escape.h"

namespace llmstack {

namespace {

constexpr uint32_t kSectionHeaderBlock = 0x0a0d0d0a;
constexpr uint32_t kInterfaceDescriptionBlock = 1;
constexpr uint32_t kEnhancedPacketBlock = 6;
constexpr uint32_t kByteOrderMagic = 0x1a2b3c4d;
constexpr uint16_t kOptEndOfOpt = 0;
constexpr uint16_t kOptComment = 1;
constexpr uint16_t kShbUserAppl = 4;
constexpr uint16_t kIfTsresol = 9;
constexpr uint16_t kEpbFlags = 2;
constexpr uint32_t kEpbOutbound = 2;  // bits 0-1: 01 inbound, 10 outbound
constexpr uint32_t kEpbInbound = 1;

// Host byte order, as the section's byte-order magic announces.
void Put32(Bytes& b, uint32_t v) {
  uint8_t raw[4];
  std::memcpy(raw, &v, 4);
  b.insert(b.end(), raw, raw + 4);
}
void Put16(Bytes& b, uint16_t v) {
  uint8_t raw[2];
  std::memcpy(raw, &v, 2);
  b.insert(b.end(), raw, raw + 2);
}
void Pad4(Bytes& b) {
  while (b.size() % 4 != 0) b.push_back(0);  // §3.6.2: padding octets MUST be zero
}

void PutOption(Bytes& b, uint16_t code, ByteView value) {
  size_t length = std::min<size_t>(value.size(), 0xfff0);
  Put16(b, code);
  Put16(b, static_cast<uint16_t>(length));
  b.insert(b.end(), value.begin(), value.begin() + static_cast<long>(length));
  Pad4(b);
}

void PutTextOption(Bytes& b, uint16_t code, std::string_view text) {
  std::string utf8 = ValidUtf8(text, "?");  // §3.6.3: comments are UTF-8
  PutOption(b, code, ByteView(reinterpret_cast<const uint8_t*>(utf8.data()), utf8.size()));
}

// Wraps a body into a block: type, total length, body, total length again (§3.1).
Bytes Block(uint32_t type, const Bytes& body) {
  Bytes b;
  uint32_t total = static_cast<uint32_t>(12 + body.size());
  Put32(b, type);
  Put32(b, total);
  b.insert(b.end(), body.begin(), body.end());
  Put32(b, total);
  return b;
}

}  // namespace

Bytes PcapngSectionHeader(const CaptureDescription& description) {
  Bytes body;
  Put32(body, kByteOrderMagic);
  Put16(body, 1);           // major
  Put16(body, 0);           // minor
  Put32(body, 0xffffffff);  // section length -1: not given
  Put32(body, 0xffffffff);
  if (!description.comment.empty()) PutTextOption(body, kOptComment, description.comment);
  if (!description.application.empty()) {
    PutTextOption(body, kShbUserAppl, description.application);
  }
  Put16(body, kOptEndOfOpt);
  Put16(body, 0);
  return Block(kSectionHeaderBlock, body);
}

Bytes PcapngInterfaceDescription(LinkType link) {
  Bytes body;
  Put16(body, static_cast<uint16_t>(link));
  Put16(body, 0);  // reserved
  Put32(body, 0);  // snaplen 0: no limit
  const uint8_t nanoseconds = 9;
  PutOption(body, kIfTsresol, ByteView(&nanoseconds, 1));
  Put16(body, kOptEndOfOpt);
  Put16(body, 0);
  return Block(kInterfaceDescriptionBlock, body);
}

Bytes PcapngEnhancedPacket(const OutputFrame& frame) {
  Bytes body;
  uint64_t ns = static_cast<uint64_t>(frame.time.sec) * 1000000000ull + frame.time.nsec;
  Put32(body, 0);  // interface 0
  Put32(body, static_cast<uint32_t>(ns >> 32));
  Put32(body, static_cast<uint32_t>(ns));
  Put32(body, static_cast<uint32_t>(frame.data.size()));
  Put32(body,
        frame.original_length ? frame.original_length : static_cast<uint32_t>(frame.data.size()));
  body.insert(body.end(), frame.data.begin(), frame.data.end());
  Pad4(body);
  uint32_t flags = frame.outbound ? kEpbOutbound : kEpbInbound;
  uint8_t raw[4];
  std::memcpy(raw, &flags, 4);
  PutOption(body, kEpbFlags, ByteView(raw, 4));
  if (!frame.comment.empty()) PutTextOption(body, kOptComment, frame.comment);
  Put16(body, kOptEndOfOpt);
  Put16(body, 0);
  return Block(kEnhancedPacketBlock, body);
}

PcapngWriter::PcapngWriter(OutputFile file, LinkType link, const CaptureDescription& description)
    : file_(std::move(file)), path_(file_->path()) {
  WriteHeader(link, description);
}

PcapngWriter::PcapngWriter(std::string path, FILE* in_place, LinkType link,
                           const CaptureDescription& description)
    : path_(std::move(path)), in_place_(in_place) {
  WriteHeader(link, description);
  if (header_status_.ok()) header_status_ = Flush();
}

PcapngWriter::~PcapngWriter() {
  if (in_place_ != nullptr) std::fclose(in_place_);
}

void PcapngWriter::WriteHeader(LinkType link, const CaptureDescription& description) {
  header_status_ = Emit(PcapngSectionHeader(description));
  if (header_status_.ok()) header_status_ = Emit(PcapngInterfaceDescription(link));
}

Status PcapngWriter::Emit(const Bytes& block) {
  if (file_) {
    return file_->Write(
        std::string_view(reinterpret_cast<const char*>(block.data()), block.size()));
  }
  if (in_place_ == nullptr) return IoError(path_ + ": already closed");
  if (std::fwrite(block.data(), 1, block.size(), in_place_) != block.size()) {
    return IoError(path_ + ": write failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status PcapngWriter::Write(const OutputFrame& frame) {
  if (!header_status_.ok()) return header_status_;
  Status s = Emit(PcapngEnhancedPacket(frame));
  return s.ok() && in_place_ != nullptr ? Flush() : s;
}

Status PcapngWriter::Flush() {
  if (!header_status_.ok()) return header_status_;
  FILE* f = file_ ? file_->file() : in_place_;
  if (f == nullptr) return IoError(path_ + ": already closed");
  if (std::fflush(f) != 0) return IoError(path_ + ": write failed: " + std::strerror(errno));
  return Status::Ok();
}

Status PcapngWriter::Finish() {
  if (!header_status_.ok()) return header_status_;
  if (file_) return file_->Commit();
  if (in_place_ == nullptr) return IoError(path_ + ": already closed");
  bool ok = std::fflush(in_place_) == 0;
  int error = errno;
  ok = std::fclose(in_place_) == 0 && ok;
  in_place_ = nullptr;
  if (!ok) return IoError(path_ + ": write failed: " + std::strerror(error));
  return Status::Ok();
}

}  // namespace llmstack
