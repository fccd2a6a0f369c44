// Model backends behind one interface: the seam between the pipeline and whoever builds the
// replies (an HTTP API, a command, a journal, or the built-in reference stack). Backends are
// asynchronous: queries are submitted, answers collected as they finish.
#ifndef LLMSTACK_MODEL_BACKEND_H_
#define LLMSTACK_MODEL_BACKEND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "grade/responder.h"
#include "model/usage.h"
#include "packet/packet_stream.h"

namespace llmstack {

struct ModelQuery {
  uint64_t id = 0;     // unique within a run
  uint64_t index = 0;  // request number
  int sample = 0;
  std::string prompt;                   // fully rendered
  std::string request_hex;              // the datagram asked about
  std::string cache_key;                // content address (empty: not cacheable)
  const EchoPacket* request = nullptr;  // valid until the answer is collected
  RequestAssessment assessment;
};

// One try at a query: its HTTP status (0 for a transport error), what went wrong, how long it
// took and how long the client waited before the next try.
struct Attempt {
  int status = 0;
  std::string error;
  double duration_ms = 0;
  double wait_s = 0;
};

struct ModelAnswer {
  uint64_t id = 0;
  Status status;  // not ok: the backend failed for good for this query
  // "backend", "auth", "budget", "unavailable", "replay-missing" (DESIGN §6)
  std::string why_error;
  std::string text;       // the model's answer
  std::string reasoning;  // thinking / reasoning text, when the API returns it
  Usage usage;
  double latency_ms = 0;  // of the attempt that succeeded
  std::vector<Attempt> attempts;
  bool from_cache = false;
  bool from_journal = false;  // answered on --resume from the run's journal (from_cache too)
  bool journaled_from_cache = false;  // ... where it had come from the cache: nothing was spent
  // Set by the reference stack, which answers with bytes rather than text.
  std::optional<Bytes> reply;
  bool no_reply = false;
};

// Whether a failed answer stops the whole run, so that nothing more is asked (DESIGN §4): the
// key refused ("auth"), the budget or the account's spend limit reached ("budget"), a backend
// that cannot be run or reached ("unavailable": exec 126/127, connections refused).
inline bool StopsTheRun(const ModelAnswer& answer) {
  return !answer.status.ok() && (answer.why_error == "auth" || answer.why_error == "budget" ||
                                 answer.why_error == "unavailable");
}

class Backend {
 public:
  virtual ~Backend() = default;
  // "anthropic:claude-haiku-4-5", "reference:rfc", ...
  virtual std::string Spec() const = 0;
  virtual bool IsReference() const { return false; }
  virtual void Submit(ModelQuery query) = 0;
  // Waits up to `timeout_s` for answers and returns those that finished (possibly none).
  virtual std::vector<ModelAnswer> Collect(double timeout_s) = 0;
  virtual size_t InFlight() const = 0;
  // Stops everything in flight (Ctrl-C); their answers never arrive.
  virtual void CancelAll() {}
};

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_BACKEND_H_
