// The audit of one text (audit/checksum_audit.h): the packets, sections and lead-in lines that
// tie each claim and working to its subject (text_audit.cc), and the judging of claims and
// workings (checksum_audit.cc). Internal to the audit layer.
#ifndef LLMSTACK_AUDIT_TEXT_AUDIT_H_
#define LLMSTACK_AUDIT_TEXT_AUDIT_H_

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "audit/arithmetic.h"
#include "audit/audit_exchange.h"
#include "audit/checksum_audit.h"
#include "audit/checksum_claims.h"
#include "audit/text_scan.h"

namespace llmstack::audit {

using Kind = ChecksumKind;
using Subject = ClaimSubject;
using Claim = ChecksumClaim;
using Label = ChecksumLabel;

using ::llmstack::audit::ClaimMatches;
using ::llmstack::audit::Computation;
using ::llmstack::audit::Compute;
using ::llmstack::audit::DocPacket;
using ::llmstack::audit::Exchange;
using ::llmstack::audit::IsDraft;
using ::llmstack::audit::kNone;
using ::llmstack::audit::MakeExchange;
using ::llmstack::audit::PairsWith;
using ::llmstack::audit::Truth;
using ::llmstack::audit::TruthsOf;

std::string KindName(Kind kind, IpFamily family);
bool IsPlaceholderValue(uint16_t v);
// `v` as a working writes it: "0x5cf5" up to 0xffff, "0x29ea0" past it.
std::string Hex(uint64_t v);
AuditSubject ToAuditSubject(Subject s);

// A heading and what the section under it is about.
struct Section {
  size_t begin = 0;  // of the heading line
  size_t line = 0;
  int level = 0;  // Markdown level, 9 for other headings (bold or "...:" lines)
  Subject subject = Subject::kUnknown;
};

class TextAudit {
 public:
  TextAudit(std::string_view text, const AuditContext& context)
      : text_(text.substr(0, std::min(text.size(), kMaxScannedText))),
        context_(context),
        scan_(ScanText(text_)) {}

  AuditReport Run();

 private:
  size_t Line(size_t pos) const { return scan_.LineOf(pos); }
  std::string Written(size_t begin, size_t end) const;
  std::string NameAt(const char* role, size_t pos) const {
    return std::string("the ") + role + " at line " + std::to_string(Line(pos));
  }

  void CollectPackets();
  void FindSections();
  const Section* SectionOf(size_t pos) const;
  // What the lines that lead into `pos` say it is about: the nearest line before it that ends
  // in ':', one or two lines up ("Then it recomputed the IP header checksum:").
  Subject LeadInSubject(size_t pos, size_t* line) const;
  bool HeadingBetween(size_t a, size_t b) const;
  bool ParagraphBetween(size_t a, size_t b) const;
  bool LineEndsWithColon(size_t pos) const;
  const DocPacket* Nearest(size_t pos) const;
  Exchange ExchangeFor(size_t pos) const;
  IpFamily FamilyOf(const Exchange& x) const;
  // `implicit`: the value a working arrives at, judged as a claim only when it is right or
  // certainly wrong.
  void JudgeClaim(const Claim& claim, bool implicit = false);
  void FindGaps();
  void JudgeWorkings(const std::vector<ArithmeticStep>& steps);

  void Add(size_t pos, AuditVerdict verdict, bool is_claim, std::string what, AuditSubject subject,
           std::string message) {
    report_.findings.push_back(
        {Line(pos), verdict, is_claim, std::move(what), subject, std::move(message)});
    positions_.push_back(pos);
  }

  std::string_view text_;
  AuditContext context_;
  TextScan scan_;
  std::vector<std::unique_ptr<DocPacket>> packets_;  // text packets in order, then context ones
  // The text packets, in text order and disjoint (FindTextDatagrams finds them so).
  std::vector<const DocPacket*> in_text_;
  // What pairs by echo key (family, identifier, sequence): the text's requests in text order,
  // and the last reply in packets_ that is not a draft.
  struct KeyedPackets {
    std::vector<const DocPacket*> requests;
    const DocPacket* last_reply = nullptr;
  };
  std::map<std::tuple<IpFamily, uint16_t, uint16_t>, KeyedPackets> by_echo_key_;
  const KeyedPackets* KeyedLike(const EchoPacket& p) const;
  const DocPacket* context_request_ = nullptr;
  const DocPacket* context_reply_ = nullptr;
  std::vector<Claim> claims_;
  std::vector<Label> labels_;
  std::vector<Section> sections_;   // in text order
  std::vector<size_t> paragraphs_;  // where blank lines are
  AuditReport report_;
  std::vector<size_t> positions_;
};

}  // namespace llmstack::audit

#endif  // LLMSTACK_AUDIT_TEXT_AUDIT_H_
