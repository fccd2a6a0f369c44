// The journal: one JSON line per exchange with a model (request, answer text, reasoning,
// usage, latency, every attempt with its status and wait, whether it came from the cache),
// appended and flushed as results arrive. It lets an interrupted run resume without asking
// twice, and `replay:JOURNAL` answer from it later. A cut-off last line (kill -9) is ignored.
// The first line records the run the journal belongs to (its identity), so that --resume never
// mixes two runs in one journal. The format is written down in src/model/journal.md.
#ifndef LLMSTACK_MODEL_JOURNAL_H_
#define LLMSTACK_MODEL_JOURNAL_H_

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/backend.h"

namespace llmstack {

struct JournalEntry {
  std::optional<std::string> cell;  // the matrix cell that asked (none for a run of one cell)
  uint64_t index = 0;
  int sample = 0;
  std::string request_hex;
  std::string backend;
  std::optional<std::string> base_url;
  std::optional<std::string> prompt_sha256;
  std::string cache_key;
  ModelAnswer answer;  // status, why_error, text, reasoning, usage, latency, attempts, from_cache
};

// The run a journal belongs to (DESIGN §4, "Journal identity"): what decides which questions
// are asked and how, so that two runs with the same identity ask the same questions.
struct JournalIdentity {
  struct Cell {
    std::optional<std::string> name;           // the matrix cell; none for a run of one cell
    std::string model;                         // backend spec, "anthropic:claude-haiku-4-5"
    std::optional<std::string> prompt_sha256;  // none when no prompt is sent
    bool operator==(const Cell& o) const {
      return name == o.name && model == o.model && prompt_sha256 == o.prompt_sha256;
    }
  };
  std::optional<std::string> capture_sha256;  // none for live mode
  std::vector<Cell> cells;
  std::string profile;
  std::optional<double> temperature;
  int max_tokens = 0;
  std::optional<int> thinking;
  int samples = 1;
};

// The identity line (the journal's first line) and back. Errors: kMalformed when the line is
// not an identity line.
std::string JournalIdentityLine(const JournalIdentity& identity);
Result<JournalIdentity> ParseJournalIdentityLine(const std::string& line);
// What differs between the run a journal records and this run, one phrase each ("capture
// sha256 1a2b3c4d5e6f (this run: 9f8e7d6c5b4a)"); empty when they are the same run.
std::vector<std::string> IdentityDifferences(const JournalIdentity& recorded,
                                             const JournalIdentity& now);

std::string JournalLine(const JournalEntry& entry);
// Errors: kMalformed when the line is not a journal entry.
Result<JournalEntry> ParseJournalLine(const std::string& line);

class JournalWriter {
 public:
  // Opens for appending. Without `resume`, an existing non-empty journal is refused
  // (kInvalidArgument suggesting --resume), so a journal is never overwritten.
  static Result<JournalWriter> Open(const std::string& path, bool resume);
  JournalWriter(JournalWriter&& other) noexcept;
  JournalWriter& operator=(JournalWriter&&) = delete;
  ~JournalWriter();

  // Appends and flushes one line. Errors: kIoError.
  Status Append(const JournalEntry& entry);
  Status AppendIdentity(const JournalIdentity& identity);
  // Makes what was appended durable (fdatasync).
  void Sync();

 private:
  JournalWriter(std::string path, FILE* file) : path_(std::move(path)), file_(file) {}
  Status AppendLine(std::string line);
  std::string path_;
  FILE* file_ = nullptr;
};

struct JournalContents {
  std::optional<JournalIdentity> identity;  // none in journals of earlier versions
  std::vector<JournalEntry> entries;
  int damaged_lines = 0;  // unreadable lines before the last
  bool cut_last_line = false;
};

// Reads a journal. Errors: kNotFound, kIoError.
Result<JournalContents> ReadJournal(const std::string& path);

// The journal of one run, shared by every cell of a matrix run: opened for appending with the
// run's identity as its first line; on --resume, the answers it already holds, by cache key.
class RunJournal {
 public:
  // Without `resume`, an existing non-empty journal is refused (as JournalWriter::Open). With
  // `resume`, an existing journal must record the same run: otherwise kInvalidArgument naming
  // what differs (exit 2). A journal of an earlier version (no identity line) is resumed with a
  // note in `warnings`. Errors also: those of ReadJournal and JournalWriter::Open.
  static Result<std::shared_ptr<RunJournal>> Open(const std::string& path, bool resume,
                                                  const JournalIdentity& identity,
                                                  std::vector<std::string>* warnings);

  // The finished answer the journal holds for `cache_key`, or null.
  const ModelAnswer* Find(const std::string& cache_key) const;
  size_t resumable() const { return journaled_.size(); }
  Status Append(const JournalEntry& entry) { return writer_.Append(entry); }
  void Sync() { writer_.Sync(); }

 private:
  explicit RunJournal(JournalWriter writer) : writer_(std::move(writer)) {}
  JournalWriter writer_;
  std::map<std::string, ModelAnswer> journaled_;
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_JOURNAL_H_
