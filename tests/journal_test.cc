// Journal lines (journal.h): what a run writes reads back the same, and a hostile line (a
// journal is a file anyone can edit, read back on --resume and by replay:) is refused or read
// with its bad numbers ignored, never trusted.
#include "model/journal.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "test_support.h"

namespace llmstack {
namespace {

JournalEntry SampleEntry() {
  JournalEntry e;
  e.index = 7;
  e.sample = 2;
  e.request_hex = testing::kExperimentRequest;
  e.backend = "anthropic:claude-haiku-4-5";
  e.base_url = "http://127.0.0.1:8765";
  e.prompt_sha256 = "f0b095d06818";
  e.cache_key = "ab12";
  e.answer.text = "```\n4500...\n```";
  e.answer.reasoning = "sum the words";
  e.answer.usage.input_tokens = 842;
  e.answer.usage.output_tokens = 393;
  e.answer.usage.cache_read_tokens = 11;
  e.answer.latency_ms = 1234.5;
  e.answer.attempts = {{429, "rate limited", 12.5, 1.0}, {200, "", 1234.5, 0}};
  return e;
}

TEST_CASE("a journal line reads back as it was written", "[journal]") {
  JournalEntry e = SampleEntry();
  Result<JournalEntry> back = ParseJournalLine(JournalLine(e));
  REQUIRE(back.ok());
  CHECK(back->index == 7);
  CHECK(back->sample == 2);
  CHECK(back->request_hex == e.request_hex);
  CHECK(back->backend == e.backend);
  CHECK(back->base_url == e.base_url);
  CHECK(back->prompt_sha256 == e.prompt_sha256);
  CHECK(back->answer.status.ok());
  CHECK(back->answer.text == e.answer.text);
  CHECK(back->answer.reasoning == e.answer.reasoning);
  CHECK(back->answer.usage.input_tokens == 842);
  CHECK(back->answer.usage.output_tokens == 393);
  CHECK(back->answer.usage.cache_read_tokens == 11);
  CHECK(back->answer.latency_ms == 1234.5);
  REQUIRE(back->answer.attempts.size() == 2);
  CHECK(back->answer.attempts[0].status == 429);
  CHECK(back->answer.attempts[0].error == "rate limited");
  CHECK(back->answer.attempts[0].wait_s == 1.0);
}

TEST_CASE("numbers a journal line cannot hold are ignored, not converted", "[journal]") {
  // Floats far out of the integer fields' range (converting them is undefined behaviour),
  // negative counts and fractions.
  const char* line =
      R"({"v":1,"index":1e85,"sample":-1e300,"request_hex":"45","text":"t","latency_ms":"slow",)"
      R"("usage":{"input_tokens":1e85,"output_tokens":2.5,"cache_read_tokens":18446744073709551615},)"
      R"("attempts":[{"status":1e85,"duration_ms":3},{"status":-7}]})";
  Result<JournalEntry> e = ParseJournalLine(line);
  REQUIRE(e.ok());
  CHECK(e->index == 0);
  CHECK(e->sample == 0);
  CHECK(e->answer.latency_ms == 0);
  CHECK(e->answer.usage.input_tokens == 0);
  CHECK(e->answer.usage.output_tokens == 0);
  CHECK(e->answer.usage.cache_read_tokens == 0);  // past int64
  REQUIRE(e->answer.attempts.size() == 2);
  CHECK(e->answer.attempts[0].status == 0);
  CHECK(e->answer.attempts[0].duration_ms == 3);
  CHECK(e->answer.attempts[1].status == -7);
  // The version must be the integer 1.
  CHECK_FALSE(ParseJournalLine(R"({"v":1e85,"request_hex":"45","text":"t"})").ok());
  CHECK_FALSE(ParseJournalLine(R"({"v":1.5,"request_hex":"45","text":"t"})").ok());
}

TEST_CASE("the journal fuzzer's finding: a float version and index", "[journal]") {
  std::string text =
      testing::ReadFile(testing::SourcePath("tests/data/fuzz-findings/journal-float-index.jsonl"));
  REQUIRE_FALSE(text.empty());
  size_t start = 0, lines = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    Result<JournalEntry> e = ParseJournalLine(text.substr(start, end - start));
    if (e.ok()) CHECK_FALSE(JournalLine(*e).empty());
    ++lines;
    start = end + 1;
  }
  CHECK(lines >= 4);
}

JournalIdentity SampleIdentity() {
  JournalIdentity id;
  id.capture_sha256 = std::string(64, 'a');
  id.cells.push_back({std::nullopt, "anthropic:claude-haiku-4-5", std::string(64, 'b')});
  id.profile = "rfc";
  id.temperature = 0.5;
  id.max_tokens = 4096;
  id.samples = 3;
  return id;
}

TEST_CASE("the identity line reads back as it was written, and names what differs", "[journal]") {
  JournalIdentity id = SampleIdentity();
  id.cells.push_back({"openai-gpt-5-mini--ping-respond", "openai:gpt-5-mini", std::nullopt});
  Result<JournalIdentity> back = ParseJournalIdentityLine(JournalIdentityLine(id));
  REQUIRE(back.ok());
  CHECK(IdentityDifferences(*back, id).empty());
  CHECK(back->cells == id.cells);
  CHECK(back->temperature == 0.5);
  CHECK_FALSE(back->thinking);
  // An entry is not an identity line, nor an identity line an entry.
  CHECK_FALSE(ParseJournalIdentityLine(R"({"v":1,"request_hex":"45","text":"t"})").ok());
  CHECK_FALSE(ParseJournalLine(JournalIdentityLine(id)).ok());

  JournalIdentity other = id;
  other.capture_sha256 = std::string(64, 'c');
  other.samples = 1;
  std::vector<std::string> differ = IdentityDifferences(id, other);
  REQUIRE(differ.size() == 2);
  CHECK(differ[0] == "capture sha256 aaaaaaaaaaaa (this run: cccccccccccc)");
  CHECK(differ[1] == "--samples 3 (this run: 1)");
  other = id;
  other.cells[0].model = "anthropic:claude-sonnet-4-5";
  other.profile = "linux";
  differ = IdentityDifferences(id, other);
  REQUIRE(differ.size() == 2);
  CHECK(differ[0].find("models anthropic:claude-haiku-4-5") == 0);
  CHECK(differ[0].find("(this run: anthropic:claude-sonnet-4-5") != std::string::npos);
  CHECK(differ[1] == "profile rfc (this run: linux)");
}

TEST_CASE("a run's journal: the identity first, resumed only by the same run", "[journal]") {
  testing::TempDir dir;
  std::string path = dir.File("j.jsonl");
  JournalIdentity id = SampleIdentity();
  std::vector<std::string> notes;
  {
    Result<std::shared_ptr<RunJournal>> j = RunJournal::Open(path, false, id, &notes);
    REQUIRE(j.ok());
    JournalEntry e = SampleEntry();
    e.cell = "a-cell";
    REQUIRE((*j)->Append(e).ok());
  }
  std::vector<std::string> lines = testing::ReadFile(path) | testing::kLines;
  REQUIRE(lines.size() == 2);
  CHECK(ParseJournalIdentityLine(lines[0]).ok());
  Result<JournalEntry> entry = ParseJournalLine(lines[1]);
  REQUIRE(entry.ok());
  CHECK(entry->cell == "a-cell");
  Result<JournalContents> contents = ReadJournal(path);
  REQUIRE(contents.ok());
  REQUIRE(contents->identity);
  CHECK(contents->entries.size() == 1);
  CHECK(contents->damaged_lines == 0);

  // Without --resume it is never reopened; with it, by the same run only.
  CHECK(RunJournal::Open(path, false, id, &notes).status().code() == StatusCode::kInvalidArgument);
  JournalIdentity other = id;
  other.capture_sha256 = std::string(64, 'c');
  Result<std::shared_ptr<RunJournal>> refused = RunJournal::Open(path, true, other, &notes);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() == path +
                                          ": the journal is of another run: capture sha256 "
                                          "aaaaaaaaaaaa (this run: cccccccccccc); give this run "
                                          "its own --journal");
  CHECK((testing::ReadFile(path) | testing::kLines) == lines);  // left as it was
  {
    Result<std::shared_ptr<RunJournal>> resumed = RunJournal::Open(path, true, id, &notes);
    REQUIRE(resumed.ok());
    REQUIRE((*resumed)->Find("ab12"));
    CHECK((*resumed)->Find("ab12")->text == SampleEntry().answer.text);
    CHECK((*resumed)->Find("cd34") == nullptr);
  }
  CHECK((testing::ReadFile(path) | testing::kLines).size() == 2);  // no second identity line
  CHECK(notes.empty());
}

TEST_CASE("a journal of an earlier version (no identity line) resumes with a note", "[journal]") {
  testing::TempDir dir;
  std::string path = dir.File("old.jsonl");
  testing::WriteFile(path, JournalLine(SampleEntry()) + "\n");
  std::vector<std::string> notes;
  Result<std::shared_ptr<RunJournal>> j = RunJournal::Open(path, true, SampleIdentity(), &notes);
  REQUIRE(j.ok());
  CHECK((*j)->Find("ab12") != nullptr);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("does not say which run it records") != std::string::npos);
}

TEST_CASE("IntegerField takes integers that fit and nothing else", "[journal]") {
  nlohmann::json j = nlohmann::json::parse(
      R"({"small":5,"negative":-5,"big":4294967296,"float":2.0,"text":"5","huge":1e85})");
  CHECK(IntegerField(j, "small", 0) == 5);
  CHECK(IntegerField(j, "negative", 0) == -5);
  CHECK(IntegerField(j, "negative", uint32_t{9}) == 9u);
  CHECK(IntegerField(j, "big", 1) == 1);  // past int
  CHECK(IntegerField(j, "big", int64_t{1}) == 4294967296);
  CHECK(IntegerField(j, "float", 1) == 1);
  CHECK(IntegerField(j, "text", 1) == 1);
  CHECK(IntegerField(j, "huge", uint64_t{3}) == 3u);
  CHECK(IntegerField(j, "missing", 4) == 4);
  CHECK(IntegerField(nlohmann::json::array(), "small", 6) == 6);
  CHECK(NumberField(j, "float", 0) == 2.0);
  CHECK(NumberField(j, "small", 0) == 5.0);
  CHECK(NumberField(j, "text", 1.5) == 1.5);
}

}  // namespace
}  // namespace llmstack
