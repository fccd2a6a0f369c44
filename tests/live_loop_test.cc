// Live mode's loop in-process: a port that hands over scripted datagrams and keeps what is
// written back, a FakeBackend on a FakeClock; the reply policies, fragments and the stop signal.
#include "live/live_loop.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <deque>

#include "fake_backend.h"
#include "grade/responder.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::FakeAnswer;
using testing::FakeBackend;

class FakePort : public DatagramPort {
 public:
  explicit FakePort(std::deque<Bytes> incoming) : incoming_(std::move(incoming)) {}
  bool WaitReadable(int) override { return !incoming_.empty(); }
  Result<std::optional<Bytes>> Read() override {
    if (incoming_.empty()) return std::optional<Bytes>();
    Bytes d = std::move(incoming_.front());
    incoming_.pop_front();
    return std::optional<Bytes>(std::move(d));
  }
  Status Write(ByteView d) override {
    written.emplace_back(d.begin(), d.end());
    return Status::Ok();
  }
  const std::string& name() const override { return name_; }
  bool drained() const { return incoming_.empty(); }
  std::vector<Bytes> written;

 private:
  std::deque<Bytes> incoming_;
  std::string name_ = "fake0";
};

// The experiment's request with sequence number `seq` (ICMP checksum adjusted).
Bytes Request(uint16_t seq) {
  Bytes d = testing::Hex(testing::kExperimentRequest);
  // RFC 1624: the checksum follows the sequence number down by one per step.
  uint32_t sum = (~((d[22] << 8) | d[23]) & 0xffff) + (seq - 1);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t checksum = static_cast<uint16_t>(~sum);
  d[26] = static_cast<uint8_t>(seq >> 8);
  d[27] = static_cast<uint8_t>(seq);
  d[22] = static_cast<uint8_t>(checksum >> 8);
  d[23] = static_cast<uint8_t>(checksum);
  return d;
}

struct LiveOutcome {
  std::vector<Bytes> written;
  RunSummary summary;
  uint64_t abandoned = 0;
  std::string lines;
};

LiveOutcome RunLive(ReplyPolicy policy, int requests,
                    std::function<FakeAnswer(const ModelQuery&)> script) {
  std::deque<Bytes> incoming;
  for (int i = 1; i <= requests; ++i) incoming.push_back(Request(static_cast<uint16_t>(i)));
  FakePort port(std::move(incoming));
  FakeClock clock;
  BackendPlan plan = FakeBackend::Plan(std::make_unique<FakeBackend>(&clock, script));
  SessionOptions options;
  options.no_cache = true;
  Result<std::unique_ptr<ModelSession>> session = ModelSession::Open(options, &plan);
  REQUIRE(session.ok());
  char* buffer = nullptr;
  size_t size = 0;
  FILE* out = open_memstream(&buffer, &size);
  LiveLoopOptions lo;
  lo.policy = policy;
  lo.concurrency = 2;
  LiveOutcome o;
  {
    // Stop once every request was read and nothing is left in flight.
    LiveLoop* self = nullptr;
    LiveLoop loop(lo, session->get(), &port, nullptr, out, &clock, [&] {
      return port.drained() && self->graded() == static_cast<uint64_t>(requests);
    });
    self = &loop;
    REQUIRE(loop.Run().ok());
    o.summary = loop.sink().summary();
    o.abandoned = loop.abandoned();
  }
  std::fclose(out);
  o.lines.assign(buffer, size);
  std::free(buffer);
  o.written = port.written;
  return o;
}

// Even sequence numbers get the request sent back (wrong), odd ones the right reply.
FakeAnswer HalfWrong(const ModelQuery& q) {
  FakeAnswer a;
  a.latency_s = 0.5;
  if (q.request->seq % 2 == 0) a.text = "```\n" + q.request_hex + "\n```";
  return a;
}

TEST_CASE("live: replies written as the policy says", "[live_loop]") {
  LiveOutcome as_written = RunLive(ReplyPolicy::kAsWritten, 6, HalfWrong);
  CHECK(as_written.written.size() == 6);
  CHECK(as_written.summary.count(Verdict::kCorrect) == 3);
  CHECK(as_written.summary.count(Verdict::kWrong) == 3);

  LiveOutcome only_correct = RunLive(ReplyPolicy::kOnlyCorrect, 6, HalfWrong);
  CHECK(only_correct.written.size() == 3);
  CHECK(only_correct.lines.find("not sent (--only-correct)") != std::string::npos);

  LiveOutcome fallback = RunLive(ReplyPolicy::kFallbackReference, 6, HalfWrong);
  REQUIRE(fallback.written.size() == 6);
  for (const Bytes& w : fallback.written) {
    Result<EchoPacket> p = EchoPacketFromDatagram(w);
    REQUIRE(p.ok());
    Result<Bytes> reference =
        BuildReferenceReply(testing::Packet(HexEncode(Request(p->seq))), Profile::kRfc);
    REQUIRE(reference.ok());
    CHECK(w == *reference);  // the right reply, the model's or the reference's
  }
}

TEST_CASE("live: a refused key stops the loop", "[live_loop]") {
  LiveOutcome o = RunLive(ReplyPolicy::kAsWritten, 4, [](const ModelQuery&) {
    FakeAnswer a;
    a.fail = true;
    a.why_error = "auth";
    return a;
  });
  CHECK(o.written.empty());
  CHECK(o.summary.count(Verdict::kError) >= 1);
}

}  // namespace
}  // namespace llmstack
