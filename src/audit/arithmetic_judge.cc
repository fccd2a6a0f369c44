// Judging a relation between two expressions as a step of arithmetic.
#include <algorithm>
#include <optional>

#include "audit/arithmetic_reader.h"

namespace llmstack::arithmetic_reading {

bool Reader::JudgeArithmetic(size_t lhs, std::optional<uint64_t> carried, size_t result,
                             size_t begin, ArithmeticStep* step) const {
  const Node& n = nodes_[lhs];
  const TextToken& r = Tok(result);
  // "ff2e + 7ccc = 1 7bfa": the result may be written with its carry apart.
  const uint64_t apart = ResultValue(result);
  step->begin = begin;
  step->end = r.end;
  step->result_begin = r.begin;
  step->result_end = r.end;
  step->written = r.value;
  step->kind = n.kind == Node::Kind::kNot       ? StepKind::kComplement
               : n.kind == Node::Kind::kProduct ? StepKind::kMultiply
               : HasSubtraction(lhs)            ? StepKind::kSubtract
                                                : StepKind::kAdd;
  if (carried) step->terms.push_back(*carried);
  Terms(lhs, &step->terms);
  step->continued = carried.has_value();
  if (n.elided) {
    step->verdict = StepVerdict::kUnverified;
    step->reason = "a series written with an ellipsis";
    return true;
  }
  const bool sum = step->kind == StepKind::kAdd;
  std::optional<uint64_t> first;
  // Readings: hex; decimal (every number plain digits); the carry written apart; a count of
  // hex values written in decimal ("0xa0 - 0x61 + 1 = 64").
  for (int reading = 0; reading < 4; ++reading) {
    const bool decimal = reading == 1;
    if (decimal && (carried || !AllDecimal(lhs) || !r.decimal)) continue;
    if (reading == 2 && apart == r.value) continue;
    if (reading == 3 && (!r.decimal || sum)) continue;
    uint64_t written = reading == 0   ? r.value
                       : reading == 1 ? r.decimal_value
                       : reading == 2 ? apart
                                      : r.decimal_value;
    for (uint64_t v : Values(lhs, decimal)) {
      uint64_t total = carried ? v + *carried : v;
      if (!first) first = total;
      // One's complement addition folds the carry back in (RFC 1071 section 1).
      bool folds = sum && !decimal && total > 0xffff && written <= 0xffff;
      if (total == written ||
          (folds && (FoldOnce(total) == written || FoldFully(total) == written))) {
        step->verdict = StepVerdict::kRight;
        if (reading == 2) {
          step->written = apart;
          step->end = step->result_end = t_[nodes_[result].token + 1].end;
        }
        return true;
      }
    }
  }
  if (!first) return false;
  step->verdict = StepVerdict::kWrong;
  step->correct = sum && *first > 0xffff && r.value <= 0xffff ? FoldFully(*first) : *first;
  return true;
}

bool Reader::Rewrites(size_t lhs, size_t rhs, std::optional<uint64_t> carried) const {
  // The right side adds up some of the left side's terms (regrouped, the rest left for later):
  // "0000 + e3d3 + 1c2b + 0001 = e3d3 + 1c2b", "a + b + c + d = a + 125e" (b + c = 125e).
  std::vector<uint64_t> right = Values(rhs, false);
  for (uint64_t v : Values(lhs, false)) {
    if (std::find(right.begin(), right.end(), carried ? v + *carried : v) != right.end()) {
      return true;  // the same value, written another way ("a·b + c = ab00 + c")
    }
  }
  // The left side's terms as written, each evaluated (a product is one term).
  std::vector<uint64_t> left;
  if (carried) left.push_back(*carried);
  const Node& sum = nodes_[lhs];
  if (sum.kind == Node::Kind::kSum) {
    for (size_t c : sum.children) {
      std::vector<uint64_t> v = Values(c, false);
      if (v.empty()) return false;
      left.push_back(v[0]);
    }
  } else {
    Terms(lhs, &left);
  }
  if (left.size() > 16 || HasSubtraction(lhs) || HasSubtraction(rhs)) return false;
  for (uint32_t subset = 1; subset < (1u << left.size()); ++subset) {
    uint64_t sum = 0;
    for (size_t i = 0; i < left.size(); ++i) {
      if (subset & (1u << i)) sum += left[i];
    }
    if (std::find(right.begin(), right.end(), sum) != right.end()) return true;
  }
  return false;
}

bool Reader::JudgeSplit(size_t lhs, size_t rhs, ArithmeticStep* step) const {
  // "29EA0 -> 9EA0 + 2": the sum split into its low 16 bits and its carry, to be added.
  const Node& s = nodes_[rhs];
  if (!IsNumber(lhs) || s.kind != Node::Kind::kSum || s.children.size() != 2 || s.negative[1] ||
      s.elided || !IsNumber(s.children[0]) || !IsNumber(s.children[1])) {
    return false;
  }
  uint64_t x = HexValue(lhs);
  if (x <= 0xffff) return false;
  // Either order: "9EA0 + 2" or "2 + 9EA0".
  uint64_t low = Tok(s.children[0]).value, carry = Tok(s.children[1]).value;
  if (carry == (x & 0xffff) && low == (x >> 16)) std::swap(low, carry);
  step->kind = StepKind::kSplit;
  step->begin = nodes_[lhs].begin;
  step->end = s.end;
  step->result_begin = s.begin;
  step->result_end = s.end;
  step->written = low + carry;
  step->terms = {x};
  bool right = (low == (x & 0xffff) && carry == (x >> 16)) || low + carry == x;
  step->verdict = right ? StepVerdict::kRight : StepVerdict::kWrong;
  step->correct = FoldOnce(x);
  return true;
}

bool Reader::JudgeFold(size_t lhs, size_t rhs, bool fold_word, bool in_sequence,
                       ArithmeticStep* step) const {
  if (!IsNumber(lhs) || !IsNumber(rhs)) return false;
  uint64_t x = HexValue(lhs), y = HexValue(rhs);
  if (x <= 0xffff) return false;
  // "fold 0x29ea0 -> 0x9ea2", "0x29ea0 folds to 0x9ea2": the fold is named at the step.
  size_t before = nodes_[lhs].token;
  while (before > 0 && t_[before - 1].IsSymbol(":")) --before;
  bool folding =
      fold_word || (before > 0 && t_[before - 1].kind == TextTokenKind::kWord &&
                    (t_[before - 1].text.rfind("fold", 0) == 0 || t_[before - 1].text == "wrap" ||
                     t_[before - 1].text == "end-around"));
  bool arrow = nodes_[lhs].token + 1 < t_.size() && t_[nodes_[lhs].token + 1].IsSymbol("->");
  if (!folding && (in_sequence || !(arrow && y <= 0xffff))) return false;
  step->kind = StepKind::kFold;
  step->begin = nodes_[lhs].begin;
  step->end = nodes_[rhs].end;
  step->result_begin = nodes_[rhs].begin;
  step->result_end = nodes_[rhs].end;
  step->written = y;
  step->terms = {x};
  bool right = y == FoldOnce(x) || y == FoldFully(x) || y == (~FoldFully(x) & 0xffff) ||
               (y == (x & 0xffff) && LineHasWord(nodes_[lhs].token, {"carry", "carries"}));
  step->verdict = right ? StepVerdict::kRight : StepVerdict::kWrong;
  step->correct = FoldFully(x);
  return true;
}

bool Reader::JudgeComplement(size_t lhs, size_t rhs, ArithmeticStep* step) const {
  uint64_t x = HexValue(lhs);
  step->kind = StepKind::kComplement;
  step->begin = nodes_[lhs].begin;
  step->end = nodes_[rhs].end;
  step->result_begin = nodes_[rhs].begin;
  step->result_end = nodes_[rhs].end;
  step->written = HexValue(rhs);
  step->terms = {x};
  step->correct = ~FoldFully(x) & 0xffff;
  step->verdict = step->written == step->correct ? StepVerdict::kRight : StepVerdict::kWrong;
  return true;
}

bool Reader::JudgeConversion(size_t lhs, size_t rhs, bool equals, ArithmeticStep* step) const {
  const TextToken& a = Tok(lhs);
  const TextToken& b = Tok(rhs);
  if (!equals || a.prefixed == b.prefixed || nodes_[lhs].value || nodes_[rhs].value) return false;
  // "3,600,000", "7 200 000", "1.5", "1011 1000": a number written in more than one token.
  for (size_t node : {lhs, rhs}) {
    size_t k = nodes_[node].token;
    if (k + 2 < t_.size() && (t_[k + 1].IsSymbol(",") || t_[k + 1].IsSymbol(".")) &&
        t_[k + 2].IsNumber() && t_[k + 1].begin == t_[k].end) {
      return false;
    }
    if (k + 1 < t_.size() && t_[k + 1].IsNumber()) return false;
    if (k > 0 && t_[k - 1].IsNumber()) return false;
  }
  const TextToken& plain = a.prefixed ? b : a;
  const TextToken& hex = a.prefixed ? a : b;
  // Only a bare number of digits can be decimal; "IHL 5 = 20 bytes" has no 0x and is no step.
  if (!plain.decimal || plain.digits > 10) return false;
  step->kind = StepKind::kAdd;
  step->begin = nodes_[lhs].begin;
  step->end = nodes_[rhs].end;
  step->result_begin = nodes_[rhs].begin;
  step->result_end = nodes_[rhs].end;
  step->written = b.value;
  step->terms = {a.value};
  bool right = plain.decimal_value == hex.value || plain.value == hex.value;
  step->verdict = right ? StepVerdict::kRight : StepVerdict::kWrong;
  step->correct = a.prefixed ? a.value : a.decimal_value;
  return true;
}

}  // namespace llmstack::arithmetic_reading
