// The reader behind ReadArithmetic (audit/arithmetic.h): the expressions of a text parsed into
// nodes (arithmetic_parse.cc), judged as steps (arithmetic_judge.cc) and read statement by
// statement (arithmetic.cc). Internal to the audit layer.
#ifndef LLMSTACK_AUDIT_ARITHMETIC_READER_H_
#define LLMSTACK_AUDIT_ARITHMETIC_READER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

#include "audit/arithmetic.h"
#include "audit/text_scan.h"

namespace llmstack::arithmetic_reading {

// A number fit for written-down arithmetic. Bare letters-only tokens shorter than 4 are
// English ("a", "be", "add"), not hex.
inline bool IsArithmeticNumber(const TextToken& t) {
  return t.IsNumber() && t.value <= 0xffffffffull && !(t.letters_only && t.digits < 4);
}

constexpr size_t kMaxValues = 16;  // readings kept per expression

// An expression as written: a number, a complement, a product or a signed sum.
struct Node {
  enum class Kind { kNumber, kNot, kProduct, kSum } kind = Kind::kNumber;
  size_t token = 0;              // kNumber
  std::vector<size_t> children;  // indices into the node list
  std::vector<bool> negative;    // kSum: per child
  size_t begin = 0, end = 0;     // text span
  bool elided = false;           // holds "..." somewhere
  // kNumber: a value other than its token's ("1 7bfa", a result with its carry written apart).
  std::optional<uint64_t> value;
};

inline void AddValue(std::vector<uint64_t>* out, uint64_t v) {
  if (out->size() < kMaxValues && std::find(out->begin(), out->end(), v) == out->end()) {
    out->push_back(v);
  }
}

class Reader {
 public:
  Reader(const TextScan& scan, std::string_view text) : scan_(scan), t_(scan.tokens), text_(text) {
    for (const TextToken& tok : t_) {
      if (tok.kind == TextTokenKind::kBreak && tok.line_breaks > 1)
        paragraphs_.push_back(tok.begin);
    }
  }

  std::vector<ArithmeticStep> Run();

 private:
  // --- parsing ---
  bool IsBreak(size_t k) const { return k < t_.size() && t_[k].kind == TextTokenKind::kBreak; }
  bool IsSingleBreak(size_t k) const { return IsBreak(k) && t_[k].line_breaks == 1; }
  // Whether the symbol at `k` is a binary operator: "+", "*"/"×", "x"/"times" between numbers,
  // and "-" when spaced or written as "−" (not "2-3", a range).
  int OperatorAt(size_t k) const;
  std::optional<size_t> ParseExpr(size_t k, size_t* next);
  std::optional<size_t> ParseProduct(size_t k, size_t* next);
  std::optional<size_t> ParseFactor(size_t k, size_t* next);
  size_t SkipWordsInParens(size_t k) const;
  // "=", "->", "gives", "folds to", ...: returns the token after it (and after an operation
  // named there: "-> fold 07ff", "-> complement 0xa844").
  bool RelationAt(size_t k, bool lhs_is_arithmetic, size_t* next, bool* fold_word,
                  bool* complement_word) const;

  // --- judging ---
  std::vector<uint64_t> Values(size_t node, bool decimal) const;
  bool AllDecimal(size_t node) const;
  bool HasSubtraction(size_t node) const;
  void Terms(size_t node, std::vector<uint64_t>* out) const;
  bool IsNumber(size_t node) const { return nodes_[node].kind == Node::Kind::kNumber; }
  const TextToken& Tok(size_t node) const { return t_[nodes_[node].token]; }
  // A number node's value, read as hex.
  uint64_t HexValue(size_t node) const {
    return nodes_[node].value ? *nodes_[node].value : Tok(node).value;
  }
  bool LineHasWord(size_t k, std::initializer_list<const char*> words) const;

  // The value of the written result at `node`: "1 7bfa" (a carry written apart) is 0x17bfa.
  uint64_t ResultValue(size_t node) const;
  // Judges `lhs` (plus `carried`, the previous result, for a continuation) against the number
  // `result`. Returns false when it is not a step of arithmetic.
  bool JudgeArithmetic(size_t lhs, std::optional<uint64_t> carried, size_t result, size_t begin,
                       ArithmeticStep* step) const;
  bool JudgeSplit(size_t lhs, size_t rhs, ArithmeticStep* step) const;
  // "0x9ea2 -> complement 0x615d".
  bool JudgeComplement(size_t lhs, size_t rhs, ArithmeticStep* step) const;
  // "16384 = 0x4000": a decimal number written again in hex (one side "0x", the other digits).
  bool JudgeConversion(size_t lhs, size_t rhs, bool equals, ArithmeticStep* step) const;
  // Whether `rhs` writes the sum `lhs` again: equal to it, or its terms with some left out.
  bool Rewrites(size_t lhs, size_t rhs, std::optional<uint64_t> carried) const;
  // `in_sequence`: the relation is one of a run of arrows ("a2d8 -> b209 -> b20c"), running
  // sums rather than folds.
  bool JudgeFold(size_t lhs, size_t rhs, bool fold_word, bool in_sequence,
                 ArithmeticStep* step) const;
  // A step written from token `first` to token `last` whose result is token `result`.
  ArithmeticStep StepOver(StepKind kind, size_t first, size_t last, size_t result) const;
  // "~X = Y" written from `first` to its result `result`, judged.
  ArithmeticStep ComplementStep(size_t first, size_t result, uint64_t operand) const;
  void ReadStatement(size_t k, size_t* next);
  bool ReadLedger(size_t k, size_t* next);
  bool ReadWordComplement(size_t k, size_t* next);
  bool ReadLabelledValues(size_t k, size_t* next);
  bool ReadBreakdown(size_t k, size_t* next);
  void Emit(ArithmeticStep step) {
    last_result_ = step.written;
    last_result_at_ = step.result_end;
    last_result_judged_ = step.verdict != StepVerdict::kUnverified;
    steps_.push_back(std::move(step));
  }
  // The previous result, when it is close enough to be continued: within a few lines, with no
  // paragraph break between.
  std::optional<uint64_t> Carried(size_t at) const;

  const TextScan& scan_;
  const std::vector<TextToken>& t_;
  std::string_view text_;
  std::vector<Node> nodes_;
  bool across_lines_ = true;  // whether a sum being read may go on on the next line
  std::vector<ArithmeticStep> steps_;
  std::optional<uint64_t> last_result_;
  size_t last_result_at_ = 0;
  bool last_result_judged_ = false;     // it is the result of a step that was judged
  std::vector<size_t> paragraphs_;      // where paragraph breaks (blank lines) are
  std::optional<uint64_t> ledger_sum_;  // the running sum of the ledger line before
  size_t ledger_at_ = 0;
};

}  // namespace llmstack::arithmetic_reading

#endif  // LLMSTACK_AUDIT_ARITHMETIC_READER_H_
