#include "audit/arithmetic.h"

#include <algorithm>
#include <optional>

#include "audit/arithmetic_reader.h"

namespace llmstack {
namespace arithmetic_reading {

ArithmeticStep Reader::StepOver(StepKind kind, size_t first, size_t last, size_t result) const {
  ArithmeticStep step;
  step.kind = kind;
  step.begin = t_[first].begin;
  step.end = t_[last].end;
  step.result_begin = t_[result].begin;
  step.result_end = t_[result].end;
  step.written = t_[result].value;
  return step;
}

// RFC 1071: the checksum is the one's complement of the folded sum.
ArithmeticStep Reader::ComplementStep(size_t first, size_t result, uint64_t operand) const {
  ArithmeticStep step = StepOver(StepKind::kComplement, first, result, result);
  step.terms = {operand};
  step.correct = ~FoldFully(operand) & 0xffff;
  step.verdict = step.written == step.correct ? StepVerdict::kRight : StepVerdict::kWrong;
  return step;
}

// "complement of 0x9ea2 is 0x615d", "inverting 9EA2 gives 615D", "0x9ea2 inverted is 0x615d".
bool Reader::ReadWordComplement(size_t k, size_t* next) {
  static constexpr const char* kBefore[] = {"complement", "complementing", "invert", "inverting",
                                            "inverse",    "flipping",      "flip"};
  size_t number = 0;
  static constexpr const char* kAfterValue[] = {"complement", "complemented", "inverted"};
  if (t_[k].kind == TextTokenKind::kWord && t_[k].TextIn(kAfterValue) && k + 2 < t_.size() &&
      (t_[k + 1].IsSymbol("->") || t_[k + 1].IsSymbol("=") || t_[k + 1].IsWord("is") ||
       t_[k + 1].IsWord("gives")) &&
      IsArithmeticNumber(t_[k + 2]) && !OperatorAt(k + 3) &&
      !(k + 3 < t_.size() && t_[k + 3].IsSymbol("="))) {
    // "complement -> 0x07ff", "its one's complement is 0xffff": of the value just before.
    std::optional<uint64_t> operand;
    for (size_t j = k; j > 0 && !IsBreak(j - 1); --j) {
      if (IsArithmeticNumber(t_[j - 1])) {
        operand = t_[j - 1].value;
        break;
      }
    }
    if (!operand) operand = Carried(t_[k].begin);
    if (!operand) return false;
    size_t m = k + 2;
    ArithmeticStep step = ComplementStep(k, m, *operand);
    Emit(std::move(step));
    *next = m + 1;
    return true;
  }
  if (t_[k].kind == TextTokenKind::kWord && t_[k].TextIn(kBefore)) {
    size_t j = k + 1;
    // "complement of (the) sum 0x9ea2"; but "complement sum 0x9ea2" names the folded sum.
    while (j < t_.size() && j < k + 5 &&
           (t_[j].IsWord("of") || t_[j].IsWord("the") || t_[j].IsSymbol(":") ||
            t_[j].IsWord("bits") ||
            (t_[j].IsWord("sum") && (t_[j - 1].IsWord("of") || t_[j - 1].IsWord("the"))))) {
      ++j;
    }
    if (j >= t_.size() || !IsArithmeticNumber(t_[j])) return false;
    number = j;
  } else if (IsArithmeticNumber(t_[k]) && k + 1 < t_.size() &&
             (t_[k + 1].IsWord("inverted") || t_[k + 1].IsWord("complemented"))) {
    number = k;
  } else {
    return false;
  }
  size_t after_number = number == k ? k + 2 : number + 1;
  size_t m;
  bool fold_word, complement_word;
  if (!RelationAt(after_number, true, &m, &fold_word, &complement_word) || m >= t_.size() ||
      !IsArithmeticNumber(t_[m])) {
    return false;
  }
  ArithmeticStep step = ComplementStep(k, m, t_[number].value);
  Emit(std::move(step));
  *next = m + 1;
  return true;
}

// "52 bytes (20 header + 32 ICMP)": a total and, in parentheses, the parts it is made of.
bool Reader::ReadBreakdown(size_t k, size_t* next) {
  if (!IsArithmeticNumber(t_[k]) || !t_[k].decimal) return false;
  size_t j = k + 1;
  while (j < t_.size() && j < k + 4 && t_[j].kind == TextTokenKind::kWord) ++j;
  if (j >= t_.size() || !t_[j].IsSymbol("(")) return false;
  std::vector<size_t> parts;
  size_t m = j + 1;
  for (;;) {
    if (m >= t_.size() || !IsArithmeticNumber(t_[m]) || !t_[m].decimal) return false;
    parts.push_back(m);
    ++m;
    for (int w = 0; w < 2 && m < t_.size() && t_[m].kind == TextTokenKind::kWord; ++w) ++m;
    if (m < t_.size() && OperatorAt(m) == '+') {
      ++m;
      continue;
    }
    break;
  }
  if (parts.size() < 2 || m >= t_.size() || !t_[m].IsSymbol(")")) return false;
  ArithmeticStep step = StepOver(StepKind::kAdd, k, m, k);
  uint64_t dec = 0, hex = 0;
  for (size_t p : parts) {
    step.terms.push_back(t_[p].value);
    dec += t_[p].decimal_value;
    hex += t_[p].value;
  }
  step.verdict =
      dec == t_[k].decimal_value || hex == t_[k].value ? StepVerdict::kRight : StepVerdict::kWrong;
  step.correct = dec;
  steps_.push_back(std::move(step));  // a count of bytes: no sum goes on from it
  *next = m + 1;
  return true;
}

// "total 0x29ea0, folded 0x9ea2, complemented 0x615d": the values of a computation named one
// after the other; each named from the one before is a step (a fold, a complement).
bool Reader::ReadLabelledValues(size_t k, size_t* next) {
  enum class Label { kTotal, kFolded, kComplemented };
  auto label_at = [&](size_t j, Label* label, size_t* after) {
    if (j >= t_.size() || t_[j].kind != TextTokenKind::kWord) return false;
    const std::string& w = t_[j].text;
    size_t a = j + 1;
    if (w == "total" || w == "sum") {
      if (j > 0 && (t_[j - 1].IsWord("running") || t_[j - 1].IsWord("partial") ||
                    t_[j - 1].IsWord("check") || t_[j - 1].IsWord("complement"))) {
        return false;
      }
      *label = Label::kTotal;
    } else if (w == "folded" || w == "fold" || w == "folds") {
      *label = Label::kFolded;
    } else if (w == "complemented" || w == "inverted") {
      *label = Label::kComplemented;
    } else {
      return false;
    }
    while (a < t_.size() && a < j + 4 &&
           (t_[a].IsSymbol(":") || t_[a].IsSymbol("=") || t_[a].IsWord("is") ||
            t_[a].IsWord("to") || t_[a].IsWord("back"))) {
      ++a;
    }
    // The value must follow as a plain number: "complemented: ~0x9ea2 = ..." is arithmetic.
    if (a >= t_.size() || !IsArithmeticNumber(t_[a])) return false;
    if (a + 1 < t_.size() &&
        (OperatorAt(a + 1) || t_[a + 1].IsSymbol("=") || t_[a + 1].IsSymbol("->"))) {
      return false;
    }
    *after = a;
    return true;
  };
  Label label;
  size_t value;
  if (!label_at(k, &label, &value) || label == Label::kComplemented) return false;
  size_t j = value + 1;
  bool any = false;
  for (;;) {
    size_t sep = j;
    if (sep < t_.size() &&
        (t_[sep].IsSymbol(",") || t_[sep].IsSymbol(";") || t_[sep].IsSymbol("->") ||
         t_[sep].IsWord("then") || t_[sep].IsWord("and"))) {
      ++sep;
    } else {
      break;
    }
    if (sep < t_.size() && t_[sep].IsWord("then")) ++sep;
    Label next_label;
    size_t next_value;
    if (!label_at(sep, &next_label, &next_value) || next_label == Label::kTotal) break;
    uint64_t x = t_[value].value, y = t_[next_value].value;
    ArithmeticStep step = StepOver(StepKind::kAdd, value, next_value, next_value);
    step.terms = {x};
    if (next_label == Label::kFolded) {
      if (label != Label::kTotal) break;
      step.kind = StepKind::kFold;
      step.correct = FoldFully(x);
      step.verdict =
          y == FoldOnce(x) || y == FoldFully(x) ? StepVerdict::kRight : StepVerdict::kWrong;
    } else {
      step.kind = StepKind::kComplement;
      step.correct = ~FoldFully(x) & 0xffff;
      step.verdict = y == step.correct ? StepVerdict::kRight : StepVerdict::kWrong;
    }
    Emit(std::move(step));
    any = true;
    label = next_label;
    value = next_value;
    j = next_value + 1;
  }
  if (!any) return false;
  *next = j;
  return true;
}

// "+ 4500  version/IHL + TOS   running sum 0x04500": a word added to the running sum of the
// line before (0 on the first line).
bool Reader::ReadLedger(size_t k, size_t* next) {
  if (!t_[k].IsSymbol("+") || k + 1 >= t_.size() || !IsArithmeticNumber(t_[k + 1])) return false;
  size_t word = k + 1;
  size_t j = word + 1;
  size_t sum_at = 0;
  for (; j < t_.size() && !IsBreak(j) && j < word + 16; ++j) {
    if ((t_[j].IsWord("sum") || t_[j].IsWord("subtotal") || t_[j].IsWord("total")) &&
        j + 1 < t_.size()) {
      size_t v = j + 1;
      while (v < t_.size() && (t_[v].IsSymbol(":") || t_[v].IsSymbol("="))) ++v;
      if (v < t_.size() && IsArithmeticNumber(t_[v])) {
        sum_at = v;
        break;
      }
    }
    if (t_[j].IsSymbol("=") || t_[j].IsSymbol("->")) return false;  // arithmetic, read as such
  }
  if (sum_at == 0) return false;
  ArithmeticStep step = StepOver(StepKind::kAdd, k, sum_at, sum_at);
  uint64_t w = t_[word].value;
  bool follows = ledger_sum_ && scan_.LineOf(t_[k].begin) <= scan_.LineOf(ledger_at_) + 1;
  if (follows) {
    step.terms = {*ledger_sum_, w};
    step.continued = true;
    uint64_t total = *ledger_sum_ + w;
    step.verdict = total == step.written || (total > 0xffff && step.written <= 0xffff &&
                                             FoldFully(total) == step.written)
                       ? StepVerdict::kRight
                       : StepVerdict::kWrong;
    step.correct = total;
  } else {
    // The first line: a sum that starts here, or one that goes on from the last result.
    step.terms = {w};
    std::optional<uint64_t> carried = Carried(t_[k].begin);
    if (step.written == w) {
      step.verdict = StepVerdict::kRight;
    } else if (carried && *carried + w == step.written) {
      step.verdict = StepVerdict::kRight;
      step.terms.insert(step.terms.begin(), *carried);
      step.continued = true;
    } else {
      step.verdict = StepVerdict::kUnverified;
      step.reason = "the running sum it adds to is not written down";
    }
  }
  ledger_sum_ = step.written;
  ledger_at_ = step.result_end;
  Emit(std::move(step));
  *next = sum_at + 1;
  return true;
}

void Reader::ReadStatement(size_t k, size_t* next) {
  *next = k + 1;
  bool statement_start = k == 0 || IsBreak(k - 1) || t_[k - 1].IsSymbol("(") ||
                         t_[k - 1].IsSymbol("[") || t_[k - 1].IsSymbol(":") ||
                         t_[k - 1].IsSymbol("|") || t_[k - 1].IsSymbol(",") ||
                         t_[k - 1].IsSymbol(";");
  // A continuation: "+ 0000 = 1412c" adds to the result before it.
  bool continuation = statement_start && t_[k].IsSymbol("+");
  size_t start = continuation ? k + 1 : k;
  if (continuation && ReadLedger(k, next)) return;
  if (ReadWordComplement(k, next)) return;
  if (ReadLabelledValues(k, next)) return;
  if (ReadBreakdown(k, next)) return;
  // "0x4000·0x100" with a sign not read as an operator: no expression starts in the middle.
  if (k > 0 && t_[k].IsNumber() && t_[k - 1].IsNumber()) {
    std::string_view between = text_.substr(t_[k - 1].end, t_[k].begin - t_[k - 1].end);
    if (between.find_first_not_of(" \t") != std::string_view::npos) return;
  }
  size_t after;
  std::optional<size_t> lhs = ParseExpr(start, &after);
  if (!lhs) return;
  std::optional<uint64_t> carried;
  bool unknown_start = false;
  bool carried_judged = false;
  if (continuation) {
    carried = Carried(t_[k].begin);
    unknown_start = !carried;
    carried_judged = last_result_judged_;
  }
  size_t begin = t_[k].begin;
  size_t j = after;
  int plain_arrows = 0;  // arrows between two numbers that were no step, so far
  for (;;) {
    bool lhs_arith = !IsNumber(*lhs) || carried || unknown_start;
    size_t rhs_start;
    bool fold_word, complement_word;
    size_t rel = j;
    if (IsSingleBreak(rel) && rel + 1 < t_.size() && t_[rel + 1].IsSymbol("=")) ++rel;
    if (!RelationAt(rel, lhs_arith, &rhs_start, &fold_word, &complement_word)) break;
    size_t rhs_next;
    // After "-> fold" or "-> complement" the value, or a sum on the same line ("-> fold: 7bfa +
    // 1 = 7bfb"); the next line is another step.
    across_lines_ = !(fold_word || complement_word);
    std::optional<size_t> rhs = ParseExpr(rhs_start, &rhs_next);
    across_lines_ = true;
    if (!rhs) break;
    // The number the left side comes to: the right side, or its first term ("a + b = c + d").
    std::optional<size_t> result;
    if (IsNumber(*rhs)) {
      result = rhs;
    } else if (nodes_[*rhs].kind == Node::Kind::kSum && IsNumber(nodes_[*rhs].children[0])) {
      result = nodes_[*rhs].children[0];
    }
    ArithmeticStep step;
    bool judged = false;
    if (unknown_start && result) {
      step.begin = begin;
      step.end = Tok(*result).end;
      step.result_begin = Tok(*result).begin;
      step.result_end = Tok(*result).end;
      step.written = Tok(*result).value;
      Terms(*lhs, &step.terms);
      step.continued = true;
      step.verdict = StepVerdict::kUnverified;
      step.reason = "it goes on from a sum that is not written just before it";
      judged = true;
    } else if (lhs_arith && result) {
      judged = JudgeArithmetic(*lhs, carried, *result, begin, &step);
      // "0000 + e3d3 + 1c2b + 0001 = e3d3 + 1c2b": the sum written again, some of its terms
      // left to be added later, is not a claim about its value.
      if (judged && step.verdict == StepVerdict::kWrong && !IsNumber(*rhs) &&
          Rewrites(*lhs, *rhs, carried)) {
        judged = false;
      }
      if (judged && carried && !carried_judged && step.verdict == StepVerdict::kWrong) {
        step.verdict = StepVerdict::kUnverified;
        step.reason = "it goes on from a value whose own sum is not written down";
      }
    } else if (IsNumber(*lhs) && !IsNumber(*rhs)) {
      judged = JudgeSplit(*lhs, *rhs, &step);
    } else if (IsNumber(*lhs) && IsNumber(*rhs) && complement_word) {
      judged = JudgeComplement(*lhs, *rhs, &step);
    } else if (IsNumber(*lhs) && IsNumber(*rhs)) {
      // "a2d8 -> b209 -> b20c": running sums in a row, not folds.
      bool next_plain_arrow =
          rhs_next + 1 < t_.size() && t_[rhs_next].IsSymbol("->") && t_[rhs_next + 1].IsNumber();
      bool sequence = !fold_word && (plain_arrows > 0 || next_plain_arrow);
      judged = JudgeFold(*lhs, *rhs, fold_word, sequence, &step) ||
               JudgeConversion(*lhs, *rhs, t_[rel].IsSymbol("="), &step);
    }
    // "... = 17fe... let me redo": a result that trails off is not a claim.
    if (judged && step.verdict == StepVerdict::kWrong && rhs_next < t_.size() &&
        t_[rhs_next].IsSymbol("...")) {
      step.verdict = StepVerdict::kUnverified;
      step.reason = "it trails off (\"...\")";
    }
    if (judged && result && step.written != Tok(*result).value && IsNumber(*rhs) &&
        *result == *rhs) {
      // "= 1 7bfa -> fold: 7bfb": the next step starts from the value with its carry.
      nodes_[*rhs].value = step.written;
      rhs_next = nodes_[*rhs].token + 2;
    }
    if (judged) {
      Emit(std::move(step));
    } else if (IsNumber(*rhs)) {
      // A value reached without a step to judge ("8000 -> dbb7"): later continuations add to it.
      last_result_ = Tok(*rhs).value;
      last_result_at_ = Tok(*rhs).end;
      last_result_judged_ = false;
    }
    if (t_[rel].IsSymbol("->") && !judged && IsNumber(*lhs) && IsNumber(*rhs)) ++plain_arrows;
    // The right side is the next left side.
    carried.reset();
    unknown_start = false;
    lhs = rhs;
    begin = nodes_[*rhs].begin;
    j = rhs_next;
  }
  *next = std::max(j, k + 1);
}

std::vector<ArithmeticStep> Reader::Run() {
  for (size_t k = 0; k < t_.size();) {
    size_t next;
    ReadStatement(k, &next);
    k = next;
  }
  return std::move(steps_);
}

}  // namespace arithmetic_reading

std::vector<ArithmeticStep> ReadArithmetic(const TextScan& scan, std::string_view text) {
  return arithmetic_reading::Reader(scan, text).Run();
}

}  // namespace llmstack
