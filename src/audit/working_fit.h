// Tracing a written-down working (checksum_working.h) back to the checksum computation it was
// done on: which of the text's computations it may be about (audit_exchange.h), and how its
// words added, running sums and totals compare with one of them; the first thing that does not
// fit is named, with what it should be.
#ifndef LLMSTACK_AUDIT_WORKING_FIT_H_
#define LLMSTACK_AUDIT_WORKING_FIT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_exchange.h"
#include "audit/checksum_claims.h"
#include "audit/checksum_working.h"
#include "grade/profile.h"

namespace llmstack::audit {

// `v` as a working writes it: "0x5cf5" (Hex16) up to 0xffff, "0x29ea0" past it.
std::string Hex(uint64_t v);

// A stretch of working about one checksum: steps and anchors close together, under one label.
struct Working {
  std::vector<const WorkingStep*> steps;
  std::vector<WrittenSum> anchors;
  size_t begin = 0, end = 0;
  std::optional<ChecksumKind> kind;
  ClaimSubject subject = ClaimSubject::kUnknown;
};

// The computations a working may have been done on, in `packets`' order: for each packet those
// over its IP header and its ICMP message, and for a request also those over each of its correct
// replies (`first_profile`'s first). Each ICMP message's computation comes after the usual wrong
// ways of summing it (PlacedComputation::left_out). Each is placed at its packet's begin.
std::vector<PlacedComputation> ComputationsOver(
    const std::vector<std::unique_ptr<DocPacket>>& packets, Profile first_profile);

// The computations of `all` a working may have been done on (those of the kind it names, when it
// names one), nearest packet first, so that among equally good fits the closest packet wins.
// Points into `all`.
std::vector<const PlacedComputation*> CandidatesFor(const Working& w,
                                                    const std::vector<PlacedComputation>& all);

// How a working's words and sums compare with one computation.
struct Fit {
  size_t matched = 0;
  size_t in_order = 0;  // words added in the computation's own order, from the first
  // The first thing that does not fit: where, what was written, what it should be.
  size_t wrong_pos = kNone;
  std::string wrong;
  std::vector<size_t> wrong_at;  // where each thing that does not fit is
};

// The words added by a chain of additions ("4500 + 0054 = 4554", "4554 + 8128 = c67c": the
// second adds 0x8128 to the running total), each with the step that adds it; folds written as
// additions are not words.
std::vector<std::pair<uint64_t, const WorkingStep*>> AddedWords(
    const std::vector<const WorkingStep*>& steps);

// How `w` fits `c`: its added words (when there are at least four) against the computation's
// words, its running sums against the partial sums in order, its totals against the sum (or the
// folded sum), its folded sums against the folded sum and its results against the checksum.
// `about` names what `c` is over, for the wording of what does not fit ("it adds 0x1234, which
// is not a word of the message of the reply to the request at line 3").
Fit FitWorking(const Working& w, const Computation& c, const std::string& about);

}  // namespace llmstack::audit

#endif  // LLMSTACK_AUDIT_WORKING_FIT_H_
