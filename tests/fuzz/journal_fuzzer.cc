// libFuzzer target: journal lines (a journal is read back on --resume and by replay:).
#include <cstdint>
#include <string>

#include "model/journal.h"

using namespace llmstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    Result<JournalEntry> e = ParseJournalLine(text.substr(start, end - start));
    if (e.ok()) JournalLine(*e);
    start = end + 1;
  }
  return 0;
}
