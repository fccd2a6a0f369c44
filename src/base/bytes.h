// Byte buffers, a bounds-checked big-endian reader and writer, and the one hex codec.
// Every read of packet bytes in the project goes through ByteReader: a short read returns false
// and leaves the reader where it was; no byte outside the view is ever touched.
#ifndef LLMSTACK_BASE_BYTES_H_
#define LLMSTACK_BASE_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace llmstack {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(ByteView data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

  bool ReadU8(uint8_t* out);
  bool ReadBe16(uint16_t* out);
  bool ReadBe32(uint32_t* out);
  bool ReadLe16(uint16_t* out);
  bool ReadLe32(uint32_t* out);
  // Reads `n` bytes as a view into the underlying buffer.
  bool ReadBytes(size_t n, ByteView* out);
  bool Skip(size_t n);
  // The bytes not read yet.
  ByteView Rest() const { return data_.subspan(pos_); }

 private:
  ByteView data_;
  size_t pos_ = 0;
};

// Defined here so that parsers compile them into their loops: every packet byte goes through
// them.
inline bool ByteReader::ReadU8(uint8_t* out) {
  if (remaining() < 1) return false;
  *out = data_[pos_++];
  return true;
}

inline bool ByteReader::ReadBe16(uint16_t* out) {
  if (remaining() < 2) return false;
  *out = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
  pos_ += 2;
  return true;
}

inline bool ByteReader::ReadBe32(uint32_t* out) {
  if (remaining() < 4) return false;
  *out = static_cast<uint32_t>(data_[pos_]) << 24 | static_cast<uint32_t>(data_[pos_ + 1]) << 16 |
         static_cast<uint32_t>(data_[pos_ + 2]) << 8 | data_[pos_ + 3];
  pos_ += 4;
  return true;
}

inline bool ByteReader::ReadLe16(uint16_t* out) {
  if (remaining() < 2) return false;
  *out = static_cast<uint16_t>(data_[pos_ + 1] << 8 | data_[pos_]);
  pos_ += 2;
  return true;
}

inline bool ByteReader::ReadLe32(uint32_t* out) {
  if (remaining() < 4) return false;
  *out = static_cast<uint32_t>(data_[pos_ + 3]) << 24 |
         static_cast<uint32_t>(data_[pos_ + 2]) << 16 |
         static_cast<uint32_t>(data_[pos_ + 1]) << 8 | data_[pos_];
  pos_ += 4;
  return true;
}

inline bool ByteReader::ReadBytes(size_t n, ByteView* out) {
  if (remaining() < n) return false;
  *out = data_.subspan(pos_, n);
  pos_ += n;
  return true;
}

inline bool ByteReader::Skip(size_t n) {
  if (remaining() < n) return false;
  pos_ += n;
  return true;
}

// Reads a big-endian 16-bit value at `offset`; returns false when it does not fit.
inline bool PeekBe16(ByteView data, size_t offset, uint16_t* out) {
  if (offset > data.size() || data.size() - offset < 2) return false;
  *out = static_cast<uint16_t>(data[offset] << 8 | data[offset + 1]);
  return true;
}

// The byte or big-endian 16-bit value at `offset`, 0 where the data ends first (for showing
// what a short datagram holds, after its length has been judged).
inline uint8_t U8OrZero(ByteView data, size_t offset) {
  return offset < data.size() ? data[offset] : 0;
}
inline uint16_t Be16OrZero(ByteView data, size_t offset) {
  uint16_t v = 0;
  PeekBe16(data, offset, &v);
  return v;
}

inline bool PeekBe32(ByteView data, size_t offset, uint32_t* out) {
  if (offset > data.size() || data.size() - offset < 4) return false;
  ByteReader r(data.subspan(offset));
  return r.ReadBe32(out);
}

// Appends big-endian values to a Bytes buffer.
class ByteWriter {
 public:
  explicit ByteWriter(Bytes* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(v); }
  void Be16(uint16_t v);
  void Be32(uint32_t v);
  void Le16(uint16_t v);
  void Le32(uint32_t v);
  void Append(ByteView v) { out_->insert(out_->end(), v.begin(), v.end()); }
  void Zeros(size_t n) { out_->insert(out_->end(), n, 0); }

 private:
  Bytes* out_;
};

// Overwrites a big-endian 16-bit value at `offset`. REQUIRES: offset + 2 <= data.size().
void PutBe16(Bytes& data, size_t offset, uint16_t v);

// Lower-case hex, no separators.
std::string HexEncode(ByteView data);
// Strict decoding: an even number of hex digits and nothing else (either case).
// Errors: kMalformed naming the first offending character or the odd length.
Result<Bytes> HexDecode(std::string_view hex);

// Decoding of hex as people write it: whitespace, ':', '-', ',' separators and "0x" prefixes
// are dropped first ("45 00 00 54", "45:00", "0x45 0x00"). Errors: those of HexDecode.
Result<Bytes> HexDecodeLenient(std::string_view text);

// "0x5cf5", "0x08": a field value as the reports and `explain` show it.
std::string Hex16(uint16_t v);
std::string Hex8(uint8_t v);
std::string Hex32(uint32_t v);

}  // namespace llmstack

#endif  // LLMSTACK_BASE_BYTES_H_
