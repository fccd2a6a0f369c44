// Parsing written arithmetic into expression nodes, and the values a node can be read as.
#include <algorithm>
#include <optional>

#include "audit/arithmetic_reader.h"

namespace llmstack::arithmetic_reading {

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

}  // namespace llmstack::arithmetic_reading
