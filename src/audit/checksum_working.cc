#include "audit/checksum_working.h"

#include <algorithm>

namespace llmstack {

namespace {

using Step = WorkingStep;
using Anchor = WrittenSum;
using AnchorKind = WrittenSumKind;
using WorkingItems = WrittenWorking;

// A number fit for written-down arithmetic. Bare letters-only tokens shorter than 4 are
// English ("a", "be", "add"), not hex.
bool IsArithmeticNumber(const TextToken& t) {
  return t.IsNumber() && t.value <= 0xffffffffull && !(t.letters_only && t.digits < 4);
}

uint32_t FoldOnce(uint64_t v) { return static_cast<uint32_t>((v & 0xffff) + (v >> 16)); }
uint32_t FoldFully(uint64_t v) {
  while (v > 0xffff) v = (v & 0xffff) + (v >> 16);
  return static_cast<uint32_t>(v);
}

struct Term {
  uint64_t value = 0;
  bool negative = false;
  bool complemented = false;
  bool decimal = false;  // could be decimal
  uint64_t decimal_value = 0;
  size_t begin = 0, end = 0;
};

bool IsSingleBreak(const TextToken& t) {
  return t.kind == TextTokenKind::kBreak && t.line_breaks == 1;
}

// Reads "[~|not] N ((+|-) [~|not] N)*" at `k`.
bool ReadSum(const std::vector<TextToken>& t, size_t k, std::vector<Term>* terms, size_t* next) {
  terms->clear();
  size_t j = k;
  bool negative = false;
  while (j < t.size()) {
    size_t start = j;
    bool complemented = false;
    if (t[j].IsSymbol("~") || t[j].IsWord("not")) {
      complemented = true;
      ++j;
    }
    if (j >= t.size() || !IsArithmeticNumber(t[j])) {
      j = start;
      break;
    }
    terms->push_back({t[j].value, negative, complemented, t[j].decimal, t[j].decimal_value,
                      t[start].begin, t[j].end});
    ++j;
    // A long sum may go on on the next line: "... = 1467d\n+ ac10 + 0002".
    size_t op = j;
    if (op + 1 < t.size() && IsSingleBreak(t[op]) &&
        (t[op + 1].IsSymbol("+") || t[op + 1].IsSymbol("-")))
      ++op;
    if (op + 1 < t.size() && (t[op].IsSymbol("+") || t[op].IsSymbol("-"))) {
      negative = t[op].IsSymbol("-");
      j = op + 1;
      if (j + 1 < t.size() && IsSingleBreak(t[j])) ++j;
      continue;
    }
    break;
  }
  if (terms->empty()) return false;
  // A dangling operator is not part of the sum.
  *next = j;
  return true;
}

// "=", "->", "gives", "becomes", "folds to": what links one side of a step to the next.
bool ReadEquals(const std::vector<TextToken>& t, size_t j, bool allow_is, size_t* next) {
  if (j >= t.size()) return false;
  if (t[j].IsSymbol("=") || t[j].IsSymbol("->")) {
    *next = j + 1;
    return true;
  }
  // "0x29ea0, which folds to 0x9ea2": a linking word may follow a comma and a pronoun.
  if (t[j].IsSymbol(",")) ++j;
  static constexpr const char* kPronouns[] = {"which", "that", "and", "then", "so", "this"};
  if (j < t.size() && t[j].TextIn(kPronouns)) ++j;
  if (j >= t.size() || t[j].kind != TextTokenKind::kWord) return false;
  static constexpr const char* kLinks[] = {"gives", "becomes", "yields",
                                           "makes", "equals",  "giving"};
  if (t[j].TextIn(kLinks) || (allow_is && t[j].text == "is")) {
    *next = j + 1;
    return true;
  }
  static constexpr const char* kFoldLinks[] = {"folds", "folded", "wraps", "fold", "wrapped"};
  if (t[j].TextIn(kFoldLinks)) {
    size_t m = j + 1;
    if (m < t.size() && (t[m].IsWord("to") || t[m].IsWord("into") || t[m].IsWord("back"))) ++m;
    if (m < t.size() && (t[m].IsWord("to") || t[m].IsWord("into"))) ++m;
    *next = m;
    return true;
  }
  return false;
}

uint64_t Evaluate(const std::vector<Term>& terms, bool decimal, bool* negative_result) {
  int64_t sum = 0;
  for (const Term& term : terms) {
    int64_t v = static_cast<int64_t>(decimal ? term.decimal_value : term.value);
    if (term.complemented) v = ~v & 0xffff;
    sum += term.negative ? -v : v;
  }
  *negative_result = sum < 0;
  return static_cast<uint64_t>(sum < 0 ? 0 : sum);
}

// Judges the step from `lhs` to the value `result`. Returns false when it is not a step of
// checksum arithmetic (e.g. "TTL 64 -> 64", or decimal lengths "20 + 64 = 84").
bool JudgeStep(const std::vector<Term>& lhs, const Term& result, Step* step) {
  step->written = result.value;
  if (lhs.size() >= 2) {
    bool subtract = std::any_of(lhs.begin(), lhs.end(), [](const Term& x) { return x.negative; });
    bool negative = false;
    uint64_t plain = Evaluate(lhs, false, &negative);
    step->kind = subtract ? StepKind::kSubtract : StepKind::kAdd;
    for (const Term& x : lhs) step->terms.push_back(x.complemented ? (~x.value & 0xffff) : x.value);
    step->correct = plain;
    step->right =
        !negative && (result.value == plain || (!subtract && (result.value == FoldOnce(plain) ||
                                                              result.value == FoldFully(plain))));
    if (!step->right && result.decimal && std::all_of(lhs.begin(), lhs.end(), [](const Term& x) {
          return x.decimal && !x.complemented;
        })) {
      uint64_t dec = Evaluate(lhs, true, &negative);
      if (!negative && dec == result.decimal_value) return false;  // decimal arithmetic
    }
    // A one's complement addition written with its carry folded in: show that form.
    if (!step->right && !subtract && plain > 0xffff && result.value <= 0xffff) {
      step->correct = FoldFully(plain);
    }
    return true;
  }
  const Term& a = lhs[0];
  if (a.complemented) {
    step->kind = StepKind::kComplement;
    step->terms = {a.value};
    step->correct = ~a.value & 0xffff;
    step->right = result.value == step->correct;
    return true;
  }
  if (a.value > 0xffff && result.value < a.value && !a.negative) {
    step->kind = StepKind::kFold;
    step->terms = {a.value};
    step->correct = FoldOnce(a.value);
    step->right = result.value == FoldOnce(a.value) || result.value == FoldFully(a.value);
    if (!step->right && FoldOnce(a.value) > 0xffff) step->correct = FoldFully(a.value);
    return true;
  }
  return false;
}

bool IsRunningSumWord(const std::vector<TextToken>& t, size_t k, size_t* next) {
  static constexpr const char* kRunning[] = {"running", "partial", "cumulative", "intermediate"};
  if (k + 1 < t.size() && t[k].kind == TextTokenKind::kWord && t[k].TextIn(kRunning) &&
      t[k + 1].kind == TextTokenKind::kWord &&
      (t[k + 1].text == "sum" || t[k + 1].text == "sums" || t[k + 1].text == "total" ||
       t[k + 1].text == "totals")) {
    *next = k + 2;
    return true;
  }
  if (t[k].kind == TextTokenKind::kWord && (t[k].text == "subtotal" || t[k].text == "subtotals")) {
    *next = k + 1;
    return true;
  }
  return false;
}

// "running sum 0x4500 -> 0xc67c -> 0x1467d", "partial sums: 4554, c67c, 1067c".
size_t ReadRunningSums(const std::vector<TextToken>& t, size_t k, std::vector<bool>* used,
                       std::vector<Anchor>* out) {
  size_t j = k;
  while (j < t.size() &&
         (t[j].IsSymbol(":") || t[j].IsSymbol("=") || t[j].IsWord("is") || t[j].IsWord("are"))) {
    ++j;
  }
  size_t read = 0;
  while (j < t.size() && IsArithmeticNumber(t[j]) && (t[j].prefixed || t[j].digits >= 4)) {
    // "running sum 0x4554 + 0x8128 = ..." is arithmetic, read as steps.
    if (j + 1 < t.size() && (t[j + 1].IsSymbol("+") || t[j + 1].IsSymbol("-"))) break;
    out->push_back({t[j].begin, AnchorKind::kRunningSum, t[j].value});
    (*used)[j] = true;
    ++read;
    ++j;
    if (j + 1 < t.size() && (t[j].IsSymbol("->") || t[j].IsSymbol(",") || t[j].IsWord("then")) &&
        IsArithmeticNumber(t[j + 1])) {
      ++j;
      continue;
    }
    break;
  }
  return read ? j : k;
}

// "total 0x3ab07", "sum of 10 words = 0x29ea0", "folded 0xab0a", "one's complement sum 0x9ea2",
// "complemented 0x54f5": a labelled value, when no arithmetic follows it.
bool ReadLabelledValue(const std::vector<TextToken>& t, size_t k, Anchor* anchor,
                       size_t* value_at) {
  const TextToken& w = t[k];
  if (w.kind != TextTokenKind::kWord) return false;
  AnchorKind kind;
  if (w.text == "total" || w.text == "sum") {
    bool ones = k >= 1 && t[k - 1].kind == TextTokenKind::kWord &&
                (t[k - 1].text == "complement" || t[k - 1].text == "folded" ||
                 t[k - 1].text == "one's-complement");
    if (k >= 1 && t[k - 1].kind == TextTokenKind::kWord &&
        (t[k - 1].text == "running" || t[k - 1].text == "partial" || t[k - 1].text == "check")) {
      return false;
    }
    kind = ones ? AnchorKind::kFolded : AnchorKind::kTotal;
  } else if (w.text == "folded" || w.text == "folding") {
    kind = AnchorKind::kFolded;
  } else if (w.text == "complemented" || w.text == "inverted") {
    kind = AnchorKind::kComplemented;
  } else {
    return false;
  }
  size_t j = k + 1;
  for (size_t n = 0; j < t.size() && n < 6; ++j, ++n) {
    const TextToken& tok = t[j];
    if (tok.IsSymbol(":") || tok.IsSymbol("=") || tok.IsSymbol("(") || tok.IsWord("is") ||
        tok.IsWord("of") || tok.IsWord("all") || tok.IsWord("the") || tok.IsWord("words") ||
        tok.IsWord("sum") || tok.IsWord("to") || tok.IsWord("gives") || tok.IsWord("comes")) {
      continue;
    }
    // "sum of 10 words": a count, not the value.
    if (tok.IsNumber() && tok.decimal && j + 1 < t.size() &&
        (t[j + 1].IsWord("words") || t[j + 1].IsWord("bytes"))) {
      continue;
    }
    break;
  }
  if (j >= t.size() || !IsArithmeticNumber(t[j]) || (!t[j].prefixed && t[j].digits < 4))
    return false;
  size_t after = j + 1;
  if (after < t.size() && (t[after].IsSymbol("+") || t[after].IsSymbol("-") ||
                           t[after].IsSymbol("=") || t[after].IsSymbol("->"))) {
    return false;  // arithmetic follows: read as steps
  }
  *anchor = {t[j].begin, kind, t[j].value};
  *value_at = j;
  return true;
}

// "complement of 0x9ea2 is 0x615d", "inverting 0x9ea2 gives 0x615d".
bool ReadWordComplement(const std::vector<TextToken>& t, size_t k, Step* step, size_t* next) {
  static constexpr const char* kWords[] = {"complement", "complementing", "invert", "inverting",
                                           "inverse",    "flipping",      "flip"};
  if (t[k].kind != TextTokenKind::kWord || !t[k].TextIn(kWords)) return false;
  size_t j = k + 1;
  while (j < t.size() && (t[j].IsWord("of") || t[j].IsWord("the") || t[j].IsSymbol(":") ||
                          t[j].IsWord("bits") || t[j].IsWord("sum"))) {
    ++j;
  }
  if (j >= t.size() || !IsArithmeticNumber(t[j])) return false;
  size_t a = j;
  size_t m;
  if (!ReadEquals(t, j + 1, true, &m) || m >= t.size() || !IsArithmeticNumber(t[m])) return false;
  step->begin = t[k].begin;
  step->end = t[m].end;
  step->kind = StepKind::kComplement;
  step->terms = {t[a].value};
  step->written = t[m].value;
  step->correct = ~t[a].value & 0xffff;
  step->right = step->written == step->correct;
  *next = m + 1;
  return true;
}

}  // namespace

WrittenWorking ReadWorking(const std::vector<TextToken>& t) {
  WorkingItems items;
  std::vector<bool> used(t.size(), false);
  for (size_t k = 0; k < t.size(); ++k) {
    size_t next;
    if (IsRunningSumWord(t, k, &next)) {
      size_t end = ReadRunningSums(t, next, &used, &items.sums);
      if (end > next) k = end - 1;
    }
  }
  for (size_t k = 0; k < t.size(); ++k) {
    if (used[k]) continue;
    Step word_step;
    size_t next;
    if (ReadWordComplement(t, k, &word_step, &next)) {
      items.steps.push_back(word_step);
      k = next - 1;
      continue;
    }
    Anchor anchor;
    size_t value_at;
    if (ReadLabelledValue(t, k, &anchor, &value_at)) {
      items.sums.push_back(anchor);
      k = value_at;
      continue;
    }
    std::vector<Term> lhs;
    if (!ReadSum(t, k, &lhs, &next)) continue;
    // "0x9ea2 inverted is 0x615d"
    bool inverted = lhs.size() == 1 && next < t.size() &&
                    (t[next].IsWord("inverted") || t[next].IsWord("complemented"));
    if (inverted) {
      lhs[0].complemented = true;
      ++next;
    }
    size_t j = next;
    size_t chain_end = next;
    std::vector<Step> chain;
    while (true) {
      size_t after_eq;
      bool allow_is = lhs.size() >= 2 || lhs[0].complemented;
      if (!ReadEquals(t, j, allow_is, &after_eq)) break;
      std::vector<Term> rhs;
      size_t rhs_next;
      if (!ReadSum(t, after_eq, &rhs, &rhs_next) || rhs[0].complemented || rhs[0].negative) break;
      Step step;
      step.begin = lhs.front().begin;
      step.end = rhs.front().end;
      if (JudgeStep(lhs, rhs.front(), &step)) chain.push_back(step);
      lhs = rhs;
      j = rhs_next;
      chain_end = rhs_next;
    }
    if (chain_end > next || !chain.empty()) {
      for (Step& s : chain) items.steps.push_back(std::move(s));
      k = std::max(k, chain_end) - 1;
    } else {
      k = next - 1;
    }
  }
  std::sort(items.sums.begin(), items.sums.end(),
            [](const Anchor& a, const Anchor& b) { return a.pos < b.pos; });
  return items;
}

}  // namespace llmstack
