// What every report format says the same way: numbers as the JSON report writes them, a
// request's label, and one-line descriptions of what went wrong with a result. The JSON report
// is the reference; the HTML, Markdown, JUnit and CSV reports carry the same numbers and words.
#ifndef LLMSTACK_REPORT_REPORT_TEXT_H_
#define LLMSTACK_REPORT_REPORT_TEXT_H_

#include <string>
#include <vector>

#include "report/run_results.h"

namespace llmstack {

// The shortest text that reads back as the same double, as the JSON report writes it ("210.5",
// "0.0442").
std::string FormatJsonNumber(double value);

// "icmp_seq=3 192.0.2.1>192.0.2.2 sample 1 (frame 5)": names a request and sample (sample
// counted from 1) in test-case names and lists.
std::string ResultLabel(const PacketResult& result);

// "icmp.checksum got 0x54f5, should be 0x5cf5 (not updated after type change)"; for data,
// trailing bytes and IP options (long values) only the name and the note.
std::string DescribeField(const RenderedField& field);

// The names of the fields graded `grade`, in field-table order.
std::vector<std::string> FieldNames(const PacketResult& result, FieldGrade grade);

// Why a result is not correct, in one line: its failing fields (wrong, unexpected_reply), or
// what happened ("the model answered that no reply is due, but one is", "no packet in the
// model's text: ...", "backend: ...", "the capture cut the request"). Empty for correct and
// silent_ok results without warnings.
std::string ExplainVerdict(const PacketResult& result);

// Verdicts a reader should look at first: the failing ones and backend errors.
bool NeedsAttention(Verdict verdict);

// "3 claims right, 1 wrong; 40 steps right, 0 wrong; 2 unverified".
std::string DescribeAuditTally(const AuditTally& tally);

// "answer line 40: WRONG the reply's ICMP checksum 0x5cf8: ...".
std::string DescribeAuditFinding(const ModelAnswerAudit::Finding& finding);

// "12/14 = 85.7% (95% interval 60.1-96.0%)": a proportion and its Wilson interval.
std::string DescribeProportion(uint64_t successes, uint64_t trials);

// The accuracy by group, the groups that had graded results only: "ipv4 12/14 = 85.7% (95%
// interval 60.1-96.0%); ipv6 ...; without options ...; data 0-63 bytes ...".
std::string DescribeBreakdown(const RunSummary& summary);

// The share of graded replies in which a field passed, from its pass/warn/fail counts.
double FieldAccuracy(const std::array<uint64_t, 3>& counts);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_REPORT_TEXT_H_
