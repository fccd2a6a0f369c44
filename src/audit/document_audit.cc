#include "audit/document_audit.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "model/extract.h"

namespace llmstack {

namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// A journal (model/journal.md) holds one JSON object per line: the run's identity first, then
// exchanges with the model's "text" and "reasoning". Its first two non-empty lines tell.
bool LooksLikeJournal(std::string_view content) {
  int looked = 0;
  for (std::string_view line : Lines(content)) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return false;
    if (j.contains("text") || j.contains("reasoning")) return true;
    if (++looked == 2) return false;
  }
  return false;
}

class AuditPrinter {
 public:
  AuditPrinter(FILE* out, bool quiet) : out_(out), quiet_(quiet) {}

  void Print(const std::string& where, const AuditFinding& f) {
    if (quiet_ && f.verdict != AuditVerdict::kWrong) return;
    std::fprintf(out_, "%s:%zu: %s %s\n", where.c_str(), f.line, AuditVerdictName(f.verdict),
                 f.message.c_str());
  }
  // For a journal line: "run.jsonl:3: reasoning line 12: WRONG ...".
  void Print(const std::string& where, size_t line, const ModelAnswerAudit::Finding& f) {
    if (quiet_ && f.finding.verdict != AuditVerdict::kWrong) return;
    std::fprintf(out_, "%s:%zu: %s line %zu: %s %s\n", where.c_str(), line, f.where.c_str(),
                 f.finding.line, AuditVerdictName(f.finding.verdict), f.finding.message.c_str());
  }
  void Note(const std::string& where, size_t line, const std::string& text) {
    if (quiet_) return;
    std::fprintf(out_, "%s:%zu: %s\n", where.c_str(), line, text.c_str());
  }

 private:
  FILE* out_;
  bool quiet_;
};

// A text answering `request`: audited as the model's answer, with the reply it wrote.
void AuditAnswer(const std::string& name, std::string_view content, const EchoPacket& request,
                 AuditPrinter* printer, AuditTally* tally) {
  ExtractedReply extracted = ExtractReply(content, request);
  ByteView reply(extracted.packet);
  ModelAnswerAudit audit = AuditModelAnswer(
      request, Profile::kRfc, extracted.kind == ExtractedReply::Kind::kPacket ? &reply : nullptr,
      content, "");
  ++tally->packets;
  for (const ModelAnswerAudit::Finding& f : audit.findings) printer->Print(name, f.finding);
  tally->Add(audit.tally);
}

void AuditPlainText(const std::string& name, std::string_view content, AuditPrinter* printer,
                    AuditTally* tally) {
  AuditReport report = AuditText(content);
  for (const AuditFinding& f : report.findings) printer->Print(name, f);
  tally->Add(report.tally);
}

// Each journal line is audited on its own, as the model's answer to the request it holds.
void AuditJournal(const std::string& name, std::string_view content, AuditPrinter* printer,
                  AuditTally* tally) {
  std::vector<std::string_view> lines = Lines(content);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      printer->Note(name, i + 1, "skipped: not a journal entry (a line cut off?)");
      continue;
    }
    auto text_of = [&](const char* key) -> std::string {
      auto it = j.find(key);
      return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string text = text_of("text");
    std::string reasoning = text_of("reasoning");
    std::optional<EchoPacket> request;
    Result<Bytes> request_bytes = HexDecodeLenient(text_of("request_hex"));
    if (request_bytes.ok() && !request_bytes->empty()) {
      Result<EchoPacket> p = EchoPacketFromDatagram(*request_bytes);
      if (p.ok() && p->is_request()) request = std::move(*p);
    }
    if (!request) {
      // No request to tie the claims to: the texts are audited as free text.
      for (const std::string* body : {&reasoning, &text}) {
        if (body->empty()) continue;
        AuditReport r = AuditText(*body);
        for (const AuditFinding& f : r.findings) printer->Print(name, f);
        tally->Add(r.tally);
      }
      continue;
    }
    ++tally->packets;
    ExtractedReply extracted = ExtractReply(text, *request);
    ByteView reply(extracted.packet);
    ModelAnswerAudit audit = AuditModelAnswer(
        *request, Profile::kRfc, extracted.kind == ExtractedReply::Kind::kPacket ? &reply : nullptr,
        text, reasoning);
    for (const ModelAnswerAudit::Finding& f : audit.findings) printer->Print(name, i + 1, f);
    tally->Add(audit.tally);
  }
}

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

void AuditDocument(const std::string& name, std::string_view content, const EchoPacket* request,
                   bool quiet, FILE* out, AuditTally* tally) {
  AuditPrinter printer(out, quiet);
  if (request) {
    AuditAnswer(name, content, *request, &printer, tally);
  } else if (LooksLikeJournal(content)) {
    AuditJournal(name, content, &printer, tally);
  } else {
    AuditPlainText(name, content, &printer, tally);
  }
}

std::string FormatAuditSummary(size_t files, const AuditTally& tally) {
  size_t claims = tally.claims_right + tally.claims_wrong;
  size_t steps = tally.steps_right + tally.steps_wrong;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "audit: %s, %s; %s: %zu right, %zu wrong; %s: %zu right, %zu wrong; %zu "
                "unverified\n",
                Plural(files, "file", "files").c_str(),
                Plural(tally.packets, "packet", "packets").c_str(),
                Plural(claims, "checksum claim", "checksum claims").c_str(), tally.claims_right,
                tally.claims_wrong, Plural(steps, "step of working", "steps of working").c_str(),
                tally.steps_right, tally.steps_wrong, tally.unverified);
  return buf;
}

}  // namespace llmstack
