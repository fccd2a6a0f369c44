// Auditing one document for `audit` (DESIGN §8): a transcript or write-up as free text, a
// journal (model/journal.md) line by line as the model's answers to the requests it holds, or
// any text as the answer to a given request. Findings are printed as compiler-style lines,
// `NAME:LINE: VERDICT message`.
#ifndef LLMSTACK_AUDIT_DOCUMENT_AUDIT_H_
#define LLMSTACK_AUDIT_DOCUMENT_AUDIT_H_

#include <cstdio>
#include <string>
#include <string_view>

#include "audit/checksum_audit.h"
#include "packet/packet_stream.h"

namespace llmstack {

// Audits `content`, known as `name`: as answers to `request` when given, else as a journal
// when it looks like one (its first non-empty lines are JSON objects, one with "text" or
// "reasoning"), else as free text. Prints each finding to `out` (with `quiet`, only wrong
// ones) and adds them to `tally`.
void AuditDocument(const std::string& name, std::string_view content, const EchoPacket* request,
                   bool quiet, FILE* out, AuditTally* tally);

// The closing line: "audit: 2 files, 1 packet; 3 checksum claims: 2 right, 1 wrong; ...".
std::string FormatAuditSummary(size_t files, const AuditTally& tally);

}  // namespace llmstack

#endif  // LLMSTACK_AUDIT_DOCUMENT_AUDIT_H_
