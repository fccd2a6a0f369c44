#include "audit/arithmetic.h"

#include <algorithm>
#include <optional>

namespace llmstack {

namespace {

// A number fit for written-down arithmetic. Bare letters-only tokens shorter than 4 are
// English ("a", "be", "add"), not hex.
bool IsArithmeticNumber(const TextToken& t) {
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

void AddValue(std::vector<uint64_t>* out, uint64_t v) {
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

int Reader::OperatorAt(size_t k) const {
  if (k >= t_.size()) return 0;
  const TextToken& tok = t_[k];
  if (tok.IsSymbol("+")) return '+';
  if (tok.IsSymbol("*")) return '*';
  if (tok.IsSymbol("-")) {
    if (tok.end - tok.begin > 1) return '-';  // "−"
    bool space_before =
        tok.begin > 0 && (text_[tok.begin - 1] == ' ' || text_[tok.begin - 1] == '\t');
    bool space_after = tok.end < text_.size() && (text_[tok.end] == ' ' || text_[tok.end] == '\t');
    return space_before && space_after ? '-' : 0;
  }
  if ((tok.IsWord("x") || tok.IsWord("times")) && k + 1 < t_.size() &&
      IsArithmeticNumber(t_[k + 1])) {
    return '*';
  }
  return 0;
}

size_t Reader::SkipWordsInParens(size_t k) const {
  // "0x4500 (version + length)", "a044 + 0800 (type 8 -> 0) = a844", "c03f + 3fc0 (D)": a
  // remark in parentheses after a number, with no arithmetic of its own in it.
  if (k >= t_.size() || !t_[k].IsSymbol("(")) return k;
  for (size_t j = k + 1; j < t_.size() && j < k + 16; ++j) {
    if (t_[j].IsSymbol(")")) return j + 1;
    if (t_[j].kind == TextTokenKind::kBreak || t_[j].kind == TextTokenKind::kPacket ||
        t_[j].IsSymbol("=") || t_[j].IsSymbol("(") || OperatorAt(j)) {
      return k;
    }
  }
  return k;
}

std::optional<size_t> Reader::ParseFactor(size_t k, size_t* next) {
  if (k >= t_.size()) return std::nullopt;
  if (t_[k].IsSymbol("~") || t_[k].IsWord("not")) {
    size_t after;
    std::optional<size_t> inner = ParseFactor(k + 1, &after);
    if (!inner) return std::nullopt;
    Node n;
    n.kind = Node::Kind::kNot;
    n.children = {*inner};
    n.begin = t_[k].begin;
    n.end = nodes_[*inner].end;
    n.elided = nodes_[*inner].elided;
    nodes_.push_back(n);
    *next = after;
    return nodes_.size() - 1;
  }
  if (t_[k].IsSymbol("(")) {
    size_t after;
    std::optional<size_t> inner = ParseExpr(k + 1, &after);
    if (!inner || after >= t_.size() || !t_[after].IsSymbol(")")) return std::nullopt;
    nodes_[*inner].begin = t_[k].begin;
    nodes_[*inner].end = t_[after].end;
    *next = after + 1;
    return inner;
  }
  if (IsArithmeticNumber(t_[k])) {
    Node n;
    n.token = k;
    n.begin = t_[k].begin;
    n.end = t_[k].end;
    nodes_.push_back(n);
    size_t number = nodes_.size() - 1;
    if (k + 1 < t_.size() && t_[k + 1].IsSymbol("^2")) {
      // "128²": the number times itself.
      Node square;
      square.kind = Node::Kind::kProduct;
      square.children = {number, number};
      square.begin = n.begin;
      square.end = t_[k + 1].end;
      nodes_.push_back(square);
      *next = SkipWordsInParens(k + 2);
      return nodes_.size() - 1;
    }
    *next = SkipWordsInParens(k + 1);
    return number;
  }
  return std::nullopt;
}

std::optional<size_t> Reader::ParseProduct(size_t k, size_t* next) {
  std::optional<size_t> first = ParseFactor(k, next);
  if (!first || OperatorAt(*next) != '*') return first;
  Node n;
  n.kind = Node::Kind::kProduct;
  n.children = {*first};
  n.begin = nodes_[*first].begin;
  while (OperatorAt(*next) == '*') {
    size_t after;
    std::optional<size_t> f = ParseFactor(*next + 1, &after);
    if (!f) break;
    n.children.push_back(*f);
    *next = after;
  }
  if (n.children.size() == 1) return first;  // "**739b**": emphasis, not a product
  n.end = nodes_[n.children.back()].end;
  nodes_.push_back(n);
  return nodes_.size() - 1;
}

std::optional<size_t> Reader::ParseExpr(size_t k, size_t* next) {
  std::optional<size_t> first = ParseProduct(k, next);
  if (!first) return std::nullopt;
  Node n;
  n.kind = Node::Kind::kSum;
  n.children = {*first};
  n.negative = {false};
  n.begin = nodes_[*first].begin;
  n.elided = nodes_[*first].elided;
  for (;;) {
    size_t op = *next;
    // A long sum may go on on the next line: "... + 1467d\n+ ac10 + 0002".
    if (across_lines_ && IsSingleBreak(op) && OperatorAt(op + 1) == '+') ++op;
    int sign = OperatorAt(op);
    if (sign != '+' && sign != '-') break;
    size_t j = op + 1;
    if (IsSingleBreak(j)) ++j;
    if (j < t_.size() && t_[j].IsSymbol("...")) {
      // "10 + 12 + ... + 36": a series left out.
      n.elided = true;
      size_t after = j + 1;
      if (OperatorAt(after) == '+' || OperatorAt(after) == '-') {
        *next = after;
        continue;
      }
      *next = after;
      break;
    }
    size_t after;
    std::optional<size_t> term = ParseProduct(j, &after);
    if (!term) break;
    n.children.push_back(*term);
    n.negative.push_back(sign == '-');
    n.elided = n.elided || nodes_[*term].elided;
    *next = after;
  }
  if (n.children.size() == 1 && !n.elided) return first;
  n.end = nodes_[n.children.back()].end;
  nodes_.push_back(n);
  return nodes_.size() - 1;
}

bool Reader::RelationAt(size_t k, bool lhs_is_arithmetic, size_t* next, bool* fold_word,
                        bool* complement_word) const {
  *fold_word = false;
  *complement_word = false;
  if (k >= t_.size()) return false;
  // What may follow the relation before the value: "= **d6d6**", "-> fold 07ff", "-> fold the
  // carry -> 0x0001", "-> complement = 0xb04d".
  auto value_follows = [&](size_t j) {
    for (int turns = 0; turns < 4 && j < t_.size(); ++turns) {
      if (t_[j].IsSymbol("*") || t_[j].IsSymbol("`") || t_[j].IsSymbol("_")) {
        ++j;
      } else if (t_[j].IsWord("fold") || t_[j].IsWord("folded") || t_[j].IsWord("folding")) {
        *fold_word = true;
        ++j;
        if (j + 1 < t_.size() && t_[j].IsWord("the") && t_[j + 1].IsWord("carry")) j += 2;
      } else if (t_[j].IsWord("complement") || t_[j].IsWord("complemented") ||
                 t_[j].IsWord("invert") || t_[j].IsWord("inverted")) {
        *complement_word = true;
        ++j;
      } else if ((*fold_word || *complement_word) &&
                 (t_[j].IsSymbol(":") || t_[j].IsSymbol("=") || t_[j].IsSymbol("->") ||
                  t_[j].IsWord("is") || t_[j].IsWord("gives"))) {
        ++j;
      } else {
        break;
      }
    }
    return j;
  };
  if (t_[k].IsSymbol("=") || t_[k].IsSymbol("->")) {
    *next = value_follows(k + 1);
    return true;
  }
  size_t j = k;
  if (t_[j].IsSymbol(",")) ++j;
  static constexpr const char* kPronouns[] = {"which", "that", "and", "then", "so", "this"};
  if (j < t_.size() && t_[j].TextIn(kPronouns)) ++j;
  if (j >= t_.size() || t_[j].kind != TextTokenKind::kWord) return false;
  static constexpr const char* kLinks[] = {"gives",  "becomes", "yields", "makes",
                                           "equals", "giving",  "is"};
  if (t_[j].TextIn(kLinks)) {
    if (t_[j].text == "is" && !lhs_is_arithmetic) return false;
    *next = value_follows(j + 1);
    return true;
  }
  static constexpr const char* kFoldLinks[] = {"folds", "folded", "wraps", "fold", "wrapped"};
  if (t_[j].TextIn(kFoldLinks)) {
    size_t m = j + 1;
    while (m < t_.size() && m < j + 3 &&
           (t_[m].IsWord("to") || t_[m].IsWord("into") || t_[m].IsWord("back") ||
            t_[m].IsWord("around"))) {
      ++m;
    }
    *fold_word = true;
    *next = value_follows(m);
    return true;
  }
  return false;
}

std::vector<uint64_t> Reader::Values(size_t node, bool decimal) const {
  const Node& n = nodes_[node];
  std::vector<uint64_t> out;
  switch (n.kind) {
    case Node::Kind::kNumber: {
      const TextToken& tok = t_[n.token];
      AddValue(&out, n.value ? *n.value : decimal && tok.decimal ? tok.decimal_value : tok.value);
      return out;
    }
    case Node::Kind::kNot:
      for (uint64_t v : Values(n.children[0], decimal)) AddValue(&out, ~FoldFully(v) & 0xffff);
      return out;
    case Node::Kind::kProduct: {
      // A count times a value: each factor in either reading ("10 × 0x46").
      out = {1};
      for (size_t c : n.children) {
        std::vector<uint64_t> factor = Values(c, false);
        if (IsNumber(c) && Tok(c).decimal) AddValue(&factor, Tok(c).decimal_value);
        std::vector<uint64_t> next;
        for (uint64_t a : out) {
          for (uint64_t b : factor) AddValue(&next, a * b);
        }
        out = std::move(next);
      }
      return out;
    }
    case Node::Kind::kSum: {
      std::vector<int64_t> acc = {0};
      for (size_t i = 0; i < n.children.size(); ++i) {
        std::vector<int64_t> next;
        for (int64_t a : acc) {
          for (uint64_t b : Values(n.children[i], decimal)) {
            int64_t v = n.negative[i] ? a - static_cast<int64_t>(b) : a + static_cast<int64_t>(b);
            if (next.size() < kMaxValues && std::find(next.begin(), next.end(), v) == next.end()) {
              next.push_back(v);
            }
          }
        }
        acc = std::move(next);
      }
      for (int64_t v : acc) {
        if (v >= 0) AddValue(&out, static_cast<uint64_t>(v));
      }
      return out;
    }
  }
  return out;
}

bool Reader::AllDecimal(size_t node) const {
  const Node& n = nodes_[node];
  if (n.kind == Node::Kind::kNumber) return Tok(node).decimal && !n.value;
  if (n.kind == Node::Kind::kNot) return false;
  if (n.kind == Node::Kind::kProduct) return true;  // products read each factor both ways
  return std::all_of(n.children.begin(), n.children.end(), [&](size_t c) { return AllDecimal(c); });
}

bool Reader::HasSubtraction(size_t node) const {
  const Node& n = nodes_[node];
  if (n.kind == Node::Kind::kSum &&
      std::any_of(n.negative.begin(), n.negative.end(), [](bool b) { return b; })) {
    return true;
  }
  return std::any_of(n.children.begin(), n.children.end(),
                     [&](size_t c) { return HasSubtraction(c); });
}

void Reader::Terms(size_t node, std::vector<uint64_t>* out) const {
  const Node& n = nodes_[node];
  if (n.kind == Node::Kind::kNumber) {
    out->push_back(HexValue(node));
  } else if (n.kind == Node::Kind::kNot) {
    std::vector<uint64_t> inner = Values(n.children[0], false);
    out->push_back(inner.empty() ? 0 : ~FoldFully(inner[0]) & 0xffff);
  } else {
    for (size_t c : n.children) Terms(c, out);
  }
}

bool Reader::LineHasWord(size_t k, std::initializer_list<const char*> words) const {
  auto has = [&](const TextToken& tok) {
    if (tok.kind != TextTokenKind::kWord) return false;
    for (const char* w : words) {
      if (tok.text.rfind(w, 0) == 0) return true;  // "fold", "folded", "folding"
    }
    return false;
  };
  for (size_t j = k; j < t_.size() && !IsBreak(j); ++j) {
    if (has(t_[j])) return true;
  }
  for (size_t j = k; j > 0 && !IsBreak(j - 1); --j) {
    if (has(t_[j - 1])) return true;
  }
  return false;
}

std::optional<uint64_t> Reader::Carried(size_t at) const {
  if (!last_result_) return std::nullopt;
  if (scan_.LineOf(at) > scan_.LineOf(last_result_at_) + 3) return std::nullopt;
  auto blank = std::lower_bound(paragraphs_.begin(), paragraphs_.end(), last_result_at_);
  if (blank != paragraphs_.end() && *blank < at) return std::nullopt;
  return last_result_;
}

uint64_t Reader::ResultValue(size_t node) const {
  size_t k = nodes_[node].token;
  const TextToken& tok = t_[k];
  if (!tok.prefixed && tok.digits <= 2 && k + 1 < t_.size()) {
    const TextToken& next = t_[k + 1];
    bool apart = next.IsNumber() && !next.prefixed && next.digits == 4 &&
                 text_.substr(tok.end, next.begin - tok.end).find_first_not_of(" ") ==
                     std::string_view::npos &&
                 next.begin - tok.end <= 2;
    if (apart) return (tok.value << 16) | next.value;
  }
  return tok.value;
}

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
  bool folding = fold_word ||
                 (before > 0 && t_[before - 1].kind == TextTokenKind::kWord &&
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
    ArithmeticStep step;
    step.kind = StepKind::kComplement;
    step.begin = t_[k].begin;
    step.end = t_[m].end;
    step.result_begin = t_[m].begin;
    step.result_end = t_[m].end;
    step.terms = {*operand};
    step.written = t_[m].value;
    step.correct = ~FoldFully(*operand) & 0xffff;
    step.verdict = step.written == step.correct ? StepVerdict::kRight : StepVerdict::kWrong;
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
  ArithmeticStep step;
  step.kind = StepKind::kComplement;
  step.begin = t_[k].begin;
  step.end = t_[m].end;
  step.result_begin = t_[m].begin;
  step.result_end = t_[m].end;
  step.terms = {t_[number].value};
  step.written = t_[m].value;
  step.correct = ~FoldFully(t_[number].value) & 0xffff;
  step.verdict = step.written == step.correct ? StepVerdict::kRight : StepVerdict::kWrong;
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
  ArithmeticStep step;
  step.kind = StepKind::kAdd;
  step.begin = t_[k].begin;
  step.end = t_[m].end;
  step.result_begin = t_[k].begin;
  step.result_end = t_[k].end;
  step.written = t_[k].value;
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
    ArithmeticStep step;
    step.begin = t_[value].begin;
    step.end = t_[next_value].end;
    step.result_begin = t_[next_value].begin;
    step.result_end = t_[next_value].end;
    step.written = y;
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
  ArithmeticStep step;
  step.kind = StepKind::kAdd;
  step.begin = t_[k].begin;
  step.end = t_[sum_at].end;
  step.result_begin = t_[sum_at].begin;
  step.result_end = t_[sum_at].end;
  step.written = t_[sum_at].value;
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
  bool chained = false;
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
      chained = true;
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

}  // namespace

std::vector<ArithmeticStep> ReadArithmetic(const TextScan& scan, std::string_view text) {
  return Reader(scan, text).Run();
}

}  // namespace llmstack
