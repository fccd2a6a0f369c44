// The journal: one JSON line per exchange with a model (request, answer text, reasoning,
// usage, latency, every attempt with its status and wait, whether it came from the cache),
// appended and flushed as results arrive. It lets an interrupted run resume without asking
// twice, and `replay:JOURNAL` answer from it later. A cut-off last line (kill -9) is ignored.
//
// Line format (version 1):
//   {"v":1,"time":RFC3339,"index":N,"sample":K,"request_hex":HEX,"backend":SPEC,
//    "base_url":URL|null,"prompt_sha256":HEX|null,"cache_key":HEX,"status":"ok"|"error",
//    "why_error":null|"backend"|"auth"|"budget","error":TEXT|null,"text":TEXT,
//    "reasoning":TEXT,"usage":{...},"latency_ms":MS,"attempts":[{"status","error",
//    "duration_ms","wait_s"}],"from_cache":BOOL}
#ifndef LLMSTACK_MODEL_JOURNAL_H_
#define LLMSTACK_MODEL_JOURNAL_H_

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/backend.h"

namespace llmstack {

struct JournalEntry {
  uint64_t index = 0;
  int sample = 0;
  std::string request_hex;
  std::string backend;
  std::optional<std::string> base_url;
  std::optional<std::string> prompt_sha256;
  std::string cache_key;
  ModelAnswer answer;  // status, why_error, text, reasoning, usage, latency, attempts, from_cache
};

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
  // Makes what was appended durable (fdatasync).
  void Sync();

 private:
  JournalWriter(std::string path, FILE* file) : path_(std::move(path)), file_(file) {}
  std::string path_;
  FILE* file_ = nullptr;
};

struct JournalContents {
  std::vector<JournalEntry> entries;
  int damaged_lines = 0;  // unreadable lines before the last
  bool cut_last_line = false;
};

// Reads a journal. Errors: kNotFound, kIoError.
Result<JournalContents> ReadJournal(const std::string& path);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_JOURNAL_H_
