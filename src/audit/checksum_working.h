// Checksum arithmetic as people write it down, read from text and checked step by step:
// additions ("4500 + 0054 = 4554", "0x4554 + 0x8128 = 0xc67c", chained "a + b = c + d = e"),
// one's complement additions ("0xfffe + 0x0800 = 0x07ff"), folds of the carry
// ("fold 0x29ea0 -> 0x9ea2", "0x3ab07 folds to 0xab0a"), complements ("~0x9ea2 = 0x615d",
// "complement of 0x9ea2 is 0x615d", "0xffff - 0x9ea2 = 0x615d"), and the values a computation
// passes through: running sums ("running sum 0x4500 -> 0xc67c -> ..."), totals ("total
// 0x29ea0", "sum of 10 words = 0x29ea0"), folded sums ("folded 0x9ea2", "one's complement sum
// 0x9ea2") and results ("complemented 0x615d"). Bare numbers in arithmetic are hex; a step that
// is wrong in hex but right in decimal ("20 + 64 = 84") is not checksum arithmetic and is left
// out.
#ifndef LLMSTACK_AUDIT_CHECKSUM_WORKING_H_
#define LLMSTACK_AUDIT_CHECKSUM_WORKING_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "audit/text_scan.h"

namespace llmstack {

enum class StepKind : uint8_t { kAdd, kSubtract, kFold, kComplement };

// One step of arithmetic, judged on its own.
struct WorkingStep {
  size_t begin = 0, end = 0;  // text span of the step as written
  StepKind kind = StepKind::kAdd;
  std::vector<uint64_t> terms;  // the operands (kFold, kComplement: the one value)
  uint64_t written = 0;         // the result as written
  uint64_t correct = 0;         // what it should be
  bool right = true;
};

enum class WrittenSumKind : uint8_t { kRunningSum, kTotal, kFolded, kComplemented };

// A value written down that a checksum computation passes through, to be traced back to it.
struct WrittenSum {
  size_t pos = 0;
  WrittenSumKind kind = WrittenSumKind::kTotal;
  uint64_t value = 0;
};

struct WrittenWorking {
  std::vector<WorkingStep> steps;  // in text order
  std::vector<WrittenSum> sums;    // in text order
};

WrittenWorking ReadWorking(const std::vector<TextToken>& tokens);

}  // namespace llmstack

#endif  // LLMSTACK_AUDIT_CHECKSUM_WORKING_H_
