// Written-down checksum arithmetic, read from text and judged step by step on its own terms
// (DESIGN section 8), in the notations real answers use:
//
//   additions, chained         "4500 + 0054 = 4554", "a + b = c + d = e", several words a line
//   one's complement additions "0xfffe + 0x0800 = 0x07ff" (the carry folded back in)
//   continuations              "(+0000 +0000 = 1412C)", "+ 2BED0 = 3FFFC" on the next line
//   ledgers                    "+ 4500  version/IHL + TOS   running sum 0x04500"
//   folds                      "fold 0x29ea0 -> 0x9ea2", "29EA0 -> 9EA0 + 2 = 9EA2",
//                              "21941 -> 1941 + 2 = 1943", "0x3a307 -> 0xa307 (carry 3)"
//   complements                "~0x9ea2 = 0x615d", "complement of 9EA2 is 615D",
//                              "FFFF − 9EA2 = 615D", "~(~0x54f5 + ~0x0800 + 0x0000) = 0x5cf5"
//   products and counts        "10 × 0x46 = 0x2BC" (a count in decimal, a value in hex)
//
// Bare numbers are hex; a step whose numbers are all bare digits may also be decimal ("84 − 20 =
// 64"). A step is wrong only when no reading makes it hold; a step that cannot be judged (a
// series written with an ellipsis, a continuation of a sum that is not written down) is
// unverified, with the reason. Relations that are not arithmetic ("IHL 5 -> 20 bytes", "0x54 =
// 84") are not steps.
#ifndef LLMSTACK_AUDIT_ARITHMETIC_H_
#define LLMSTACK_AUDIT_ARITHMETIC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/text_scan.h"

namespace llmstack {

enum class StepKind : uint8_t { kAdd, kSubtract, kMultiply, kFold, kSplit, kComplement };
enum class StepVerdict : uint8_t { kRight, kWrong, kUnverified };

struct ArithmeticStep {
  size_t begin = 0, end = 0;                // text span of the step as written
  size_t result_begin = 0, result_end = 0;  // span of its written result
  StepKind kind = StepKind::kAdd;
  StepVerdict verdict = StepVerdict::kRight;
  uint64_t written = 0;  // the result as written, read as hex
  uint64_t correct = 0;  // for a wrong step: what it gives
  // The numbers it combines, read as hex, in order (the previous result first for a
  // continuation); a complemented operand is given complemented.
  std::vector<uint64_t> terms;
  bool continued = false;  // it starts from the previous step's result
  std::string reason;      // for an unverified step: why it cannot be judged
};

// The steps of `text` (scanned as `scan`), in text order. Linear in the number of tokens.
std::vector<ArithmeticStep> ReadArithmetic(const TextScan& scan, std::string_view text);

// The 16-bit one's complement folds (RFC 1071 section 4.1: "while (sum>>16) sum = (sum &
// 0xffff) + (sum >> 16)").
inline uint64_t FoldOnce(uint64_t v) { return (v & 0xffff) + (v >> 16); }
inline uint64_t FoldFully(uint64_t v) {
  while (v > 0xffff) v = FoldOnce(v);
  return v;
}

}  // namespace llmstack

#endif  // LLMSTACK_AUDIT_ARITHMETIC_H_
