// The grade loop in-process (src/run/grade_run.h): pairing as DESIGN §5 says, with ping's
// duplicate replies counted as duplicates of the request they answer.
#include "run/grade_run.h"

#include <catch2/catch.hpp>

#include "grade/responder.h"
#include "packet/capture_writer.h"
#include "test_support.h"

namespace llmstack {
namespace {

using testing::TempDir;

// The experiment's request with sequence `seq`, and its correct reply.
std::pair<Bytes, Bytes> Exchange(uint16_t seq) {
  Bytes request = testing::Hex(testing::kExperimentRequest);
  PutBe16(request, 26, seq);
  RefreshChecksums(request, IpFamily::kIpv4, 20);
  Result<Bytes> reply = BuildReferenceReply(testing::Packet(HexEncode(request)), Profile::kRfc);
  REQUIRE(reply.ok());
  return {request, *reply};
}

void WriteCapture(const std::string& path, const std::vector<Bytes>& datagrams) {
  Result<std::unique_ptr<CaptureWriter>> w =
      OpenCaptureWriter(path, LinkType::kRaw, false, CaptureDescription());
  REQUIRE(w.ok());
  Timestamp t{1700000000, 0};
  for (const Bytes& d : datagrams) {
    t = t.PlusMilliseconds(1);
    OutputFrame frame;
    frame.time = t;
    frame.data = d;
    REQUIRE((*w)->Write(frame).ok());
  }
  REQUIRE((*w)->Finish().ok());
}

TEST_CASE("ping's DUP!: a second reply is a duplicate, not a wrong reply to the next request",
          "[grade_run]") {
  TempDir dir;
  auto [request1, reply1] = Exchange(1);
  auto [request2, reply2] = Exchange(2);
  std::string capture = dir.File("dup.pcap");
  // As `ping` shows it on a network that duplicates packets: the reply to 1 twice, before 2's.
  WriteCapture(capture, {request1, request2, reply1, reply1, reply2, reply2});
  GradeOptions options;
  options.capture = capture;
  options.quiet = true;
  std::string out_path = dir.File("out.txt");
  FILE* out = std::fopen(out_path.c_str(), "w");
  REQUIRE(out != nullptr);
  Result<RunSummary> summary = RunGrade(options, out);
  std::fclose(out);
  REQUIRE(summary.ok());
  CHECK(summary->requests == 2);
  CHECK(summary->count(Verdict::kCorrect) == 2);
  CHECK(summary->count(Verdict::kWrong) == 0);
  CHECK(summary->count(Verdict::kNoReply) == 0);
  CHECK(summary->duplicates == 2);
  CHECK(summary->skipped == 0);  // the duplicates' frames are replies, not other traffic
  CHECK(summary->ExitCode() == 0);
  CHECK(testing::ReadFile(out_path).find("+2 duplicates") != std::string::npos);
}

// A shell command writing the file at `path` (from the source directory) to a pipe.
std::string Cat(const std::string& path) { return "cat '" + testing::SourcePath(path) + "' |"; }

TEST_CASE("grade reads a capture from a pipe and from standard input", "[grade_run][tool]") {
  testing::CommandResult file = testing::RunTool("grade captures/kernel-crafted.pcap -q");
  auto counts = [](const std::string& out) {
    size_t at = out.find(" requests, ");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  REQUIRE_FALSE(counts(file.out).empty());
  for (const char* args : {"grade - -q", "grade /dev/stdin -q"}) {
    INFO(args);
    testing::CommandResult piped = testing::RunShell(Cat("captures/kernel-crafted.pcap") + " " +
                                                     "(" + testing::ToolCommand(args) + ")");
    INFO(piped.err);
    CHECK(piped.exit_code == file.exit_code);
    CHECK(counts(piped.out) == counts(file.out));
  }
  // Hex replies on a pipe are read as a text file, once checked and once graded.
  testing::CommandResult text =
      testing::RunShell(Cat("captures/hand-replies.txt") + " " + "(" +
                        testing::ToolCommand("grade captures/experiment.pcap -") + ")");
  INFO(text.out << text.err);
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("hex replies from a text file") != std::string::npos);
  CHECK(text.out.find("1 correct") != std::string::npos);
  // A damaged capture on a pipe is named as what it is, not as an empty file.
  testing::CommandResult broken =
      testing::RunShell(Cat("tests/data/broken/truncated-record.pcap") + " " + "(" +
                        testing::ToolCommand("grade -") + ")");
  CHECK(broken.exit_code == 2);
  CHECK(broken.err.find("truncated") != std::string::npos);
  CHECK(broken.err.find("empty") == std::string::npos);
}

}  // namespace
}  // namespace llmstack
