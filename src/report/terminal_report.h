// ping-style terminal output: a line per result as it arrives, then the closing statistics.
#ifndef LLMSTACK_REPORT_TERMINAL_REPORT_H_
#define LLMSTACK_REPORT_TERMINAL_REPORT_H_

#include <optional>
#include <string>

#include "base/bytes.h"
#include "grade/responder.h"
#include "grade/verify.h"
#include "packet/packet_stream.h"
#include "report/run_results.h"

namespace llmstack {

struct ResultLine {
  const EchoPacket* request = nullptr;
  const RequestAssessment* assessment = nullptr;
  const ByteView* reply = nullptr;  // null: no reply
  const ReplyGrade* grade = nullptr;
  Verdict verdict = Verdict::kCorrect;
  std::optional<double> time_ms;
  int sample = 0;
  int samples = 1;
  std::string_view error;  // for kError / kUnparseable
};

// "64 bytes from 172.16.0.2: icmp_seq=1 ident=13 frame=1 ttl=64 time=10256 ms  ok" (the ICMP
// message's bytes as ping counts them, hlim= for IPv6), or
// "... WRONG icmp.checksum 0x54f5 (should be 0x5cf5: not updated after type change)".
std::string FormatResultLine(const ResultLine& line);

// ping's way of showing a time: 3 significant digits for small values ("0.052", "10256").
std::string FormatMilliseconds(double ms);

// The closing block: counts, per-field failures, the accuracy with its interval, why results
// were errors, rtt min/avg/max/mdev and p50/p90/p99, tokens and cost (per correct reply too).
std::string FormatSummary(const RunInfo& info, const RunSummary& summary);

// One line of a run's numbers, for the closing lines of a matrix run (one per cell):
// "correct 12/14 = 85.7% (95% interval 60.1-96.0%, Wilson), rtt p50 9412.500 ms, cost $0.2090".
std::string FormatCellLine(const RunSummary& summary);

// "model reference:rfc (built-in reference stack, not a model)" or "model anthropic:...".
std::string DescribeModel(const RunInfo& info);

}  // namespace llmstack

#endif  // LLMSTACK_REPORT_TERMINAL_REPORT_H_
