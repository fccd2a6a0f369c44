// Real model answers (tests/data/model-answers/README.md): answers written by hand, with no tool
// for arithmetic, to rendered prompts for real packets, and labelled by an independent checker
// (check_answers.py, which shares no code with the tool). Each reply must be extracted and graded
// as its label says; the audit must call nothing WRONG that the checker calls right; and a
// one-digit change to the result of any written step must be found WRONG at that step.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "audit/checksum_audit.h"
#include "grade/responder.h"
#include "grade/verify.h"
#include "model/extract.h"
#include "test_support.h"

namespace llmstack {
namespace {

using nlohmann::json;

const std::string kCorpus = "tests/data/model-answers/";

json Labels() {
  std::ifstream in(testing::SourcePath(kCorpus + "labels.json"));
  REQUIRE(in);
  return json::parse(in);
}

std::string Answer(const json& label) {
  return testing::ReadFile(testing::SourcePath(kCorpus + label["file"].get<std::string>()));
}

// The lines where the checker found a wrong step or a wrong claim.
std::set<size_t> WrongLines(const json& label) {
  std::set<size_t> lines;
  for (const json& s : label["steps"]) {
    if (!s["right"].get<bool>()) lines.insert(s["line"].get<size_t>());
  }
  for (const json& c : label["claims"]) {
    if (c["right"].is_boolean() && !c["right"].get<bool>()) lines.insert(c["line"].get<size_t>());
  }
  return lines;
}

ModelAnswerAudit Audit(const EchoPacket& request, const std::string& text) {
  ExtractedReply extracted = ExtractReply(text, request);
  ByteView reply(extracted.packet);
  return AuditModelAnswer(request, Profile::kRfc,
                          extracted.kind == ExtractedReply::Kind::kPacket ? &reply : nullptr, text,
                          "");
}

TEST_CASE("the corpus: at least 60 answers over four prompts, both families", "[model_answers]") {
  json labels = Labels();
  CHECK(labels.size() >= 60);
  std::set<std::string> prompts, families;
  size_t steps = 0, negatives = 0;
  for (const json& l : labels) {
    prompts.insert(l["prompt"].get<std::string>());
    families.insert(l["request_hex"].get<std::string>().substr(0, 1));
    steps += l["steps"].size();
    negatives += l["request"].get<std::string>().rfind("neg-", 0) == 0;
  }
  CHECK(prompts.size() >= 4);
  CHECK(families == std::set<std::string>{"4", "6"});
  CHECK(steps >= 1000);
  CHECK(negatives >= 10);
}

TEST_CASE("every reply is extracted and graded as its label says", "[model_answers]") {
  for (const json& label : Labels()) {
    std::string id = label["id"];
    INFO(id);
    EchoPacket request = testing::Packet(label["request_hex"]);
    std::string text = Answer(label);
    ExtractedReply extracted = ExtractReply(text, request);
    INFO(extracted.how);
    const std::string kind = label["reply"]["kind"];
    if (kind == "packet") {
      REQUIRE(extracted.kind == ExtractedReply::Kind::kPacket);
      CHECK(HexEncode(extracted.packet) == label["reply"]["hex"].get<std::string>());
    } else if (kind == "no_reply") {
      CHECK(extracted.kind == ExtractedReply::Kind::kNoReply);
    } else {
      CHECK(extracted.kind == ExtractedReply::Kind::kUnparseable);
    }
    RequestAssessment assessment = AssessRequest(request, Profile::kRfc);
    ByteView reply(extracted.packet);
    ReplyGrade grade;
    GradeReply(request, assessment,
               extracted.kind == ExtractedReply::Kind::kPacket ? &reply : nullptr, Profile::kRfc,
               &grade);
    Verdict verdict = extracted.kind == ExtractedReply::Kind::kUnparseable &&
                              assessment.expectation == ReplyExpectation::kRequired
                          ? Verdict::kUnparseable
                          : grade.verdict;
    CHECK(VerdictName(verdict) == label["verdict"].get<std::string>());
  }
}

TEST_CASE("the audit calls nothing wrong that the independent check calls right",
          "[model_answers]") {
  size_t findings = 0;
  for (const json& label : Labels()) {
    INFO(label["id"].get<std::string>());
    std::set<size_t> wrong = WrongLines(label);
    ModelAnswerAudit audit = Audit(testing::Packet(label["request_hex"]), Answer(label));
    for (const ModelAnswerAudit::Finding& f : audit.findings) {
      ++findings;
      if (f.finding.verdict != AuditVerdict::kWrong) continue;
      INFO("line " << f.finding.line << ": " << f.finding.message);
      CHECK(wrong.count(f.finding.line) == 1);
    }
  }
  CHECK(findings > 100);
}

// The result's last digit changed: 0-8 up by one, 9 to 8, f to e, F to E.
std::string Changed(std::string text, size_t offset, size_t length) {
  size_t at = offset + length - 1;
  char& c = text[at];
  if (c == '9') {
    c = '8';
  } else if (c == 'f' || c == 'F') {
    c = static_cast<char>(c - 1);
  } else {
    c = static_cast<char>(c + 1);
  }
  return text;
}

TEST_CASE("a one-digit change to any written step's result is found at that step",
          "[model_answers]") {
  size_t steps = 0, found = 0;
  std::vector<std::string> missed;
  for (const json& label : Labels()) {
    EchoPacket request = testing::Packet(label["request_hex"]);
    std::string text = Answer(label);
    for (const json& s : label["steps"]) {
      if (!s["right"].get<bool>()) continue;
      size_t offset = s["result_byte_offset"], length = s["result_length"];
      REQUIRE(offset + length <= text.size());
      std::string changed = Changed(text, offset, length);
      ++steps;
      size_t line = s["line"];
      bool flagged = false;
      for (const ModelAnswerAudit::Finding& f : Audit(request, changed).findings) {
        flagged = flagged || (f.finding.verdict == AuditVerdict::kWrong && f.finding.line == line);
      }
      if (flagged) {
        ++found;
      } else if (missed.size() < 40) {
        missed.push_back(label["id"].get<std::string>() + ":" + std::to_string(line) + " " +
                         s["text"].get<std::string>());
      }
    }
  }
  std::string list;
  for (const std::string& m : missed) list += m + "\n";
  INFO("missed (first 40):\n" << list);
  REQUIRE(steps > 0);
  std::printf("one-digit changes found at their step: %zu of %zu\n", found, steps);
  CHECK(static_cast<double>(found) / static_cast<double>(steps) >= 0.95);
}

}  // namespace
}  // namespace llmstack
