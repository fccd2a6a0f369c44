// SHA-256 (FIPS 180-4), for prompt hashes and cache keys.
#ifndef LLMSTACK_BASE_SHA256_H_
#define LLMSTACK_BASE_SHA256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace llmstack {

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  std::array<uint8_t, 32> Finish();

 private:
  void Block(const uint8_t* p);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

// Lower-case hex digest.
std::string Sha256Hex(std::string_view data);
// Lower-case hex digest of a file's bytes. Errors: kIoError naming the file.
Result<std::string> Sha256FileHex(const std::string& path);

}  // namespace llmstack

#endif  // LLMSTACK_BASE_SHA256_H_
