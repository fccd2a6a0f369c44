// Live mode: the TUN device, its error messages, the in-place record, and the real thing: a
// network namespace per test, `live` answering inside it and the real `ping` against it.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "live/tun_device.h"
#include "packet/capture.h"
#include "packet/capture_writer.h"
#include "test_support.h"

extern char** environ;

namespace llmstack {
namespace {

using testing::CommandResult;
using testing::FileExists;
using testing::HaveCommand;
using testing::ReadFile;
using testing::RunShell;
using testing::SourcePath;
using testing::TempDir;

// One shell word, whatever `s` holds.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Tool() { return Quote(LLMSTACK_BINARY); }

// Waits until `done()` or `seconds` pass; returns done().
template <typename F>
bool WaitFor(F done, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A command started in the background with its output in files; killed if still running
// when the object goes away.
class Background {
 public:
  Background(const std::string& command, const std::string& out_path, const std::string& err_path)
      : out_path_(out_path), err_path_(err_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    // `exec` so that the pid is the command's own, and a signal reaches it.
    std::string line = "exec " + command;
    const char* argv[] = {"/bin/sh", "-c", line.c_str(), nullptr};
    int rc = posix_spawn(&pid_, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start: " + command);
  }
  ~Background() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }
  std::string out() const { return ReadFile(out_path_); }
  std::string err() const { return ReadFile(err_path_); }
  void Signal(int sig) const { kill(pid_, sig); }

  // Whether it has exited (reaps it).
  bool Exited() {
    if (exited_) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return exited_;
  }
  // Waits for the exit; -1 when it did not exit in time.
  int Wait(double seconds) {
    WaitFor([this] { return Exited(); }, seconds);
    return exited_ ? exit_code_ : -1;
  }

 private:
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

// A network namespace of the test's own, removed when the object goes away, with whatever
// still runs inside it.
class Namespace {
 public:
  Namespace() {
    static std::atomic<int> counter{0};
    name_ = "llr-live-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    CommandResult r = RunShell("ip netns add " + name_);
    ok_ = r.exit_code == 0;
    if (!ok_) {
      why_ = r.err;
      return;
    }
    // The loopback carries the stand-in server; ping needs ICMP sockets (as non-root users
    // get them on most distributions) so that the kernel checks the replies' ICMP checksums.
    r = Exec("ip link set lo up && sysctl -qw net.ipv4.ping_group_range='0 2147483647'");
    if (r.exit_code != 0) {
      ok_ = false;
      why_ = r.err;
    }
  }
  ~Namespace() {
    // Processes keep a namespace alive after `ip netns del`: end the ones left inside (all
    // were started by this test) first.
    RunShell("for p in $(ip netns pids " + name_ +
             " 2>/dev/null); do kill -9 $p; done; "
             "ip netns del " +
             name_ + " 2>/dev/null");
  }

  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }
  const std::string& name() const { return name_; }
  // The command line that runs `command` inside the namespace.
  std::string In(const std::string& command) const {
    return "ip netns exec " + name_ + " " + command;
  }
  CommandResult Exec(const std::string& command) const {
    return RunShell(In("sh -c " + Quote(command)));
  }

 private:
  std::string name_;
  bool ok_ = false;
  std::string why_;
};

// The stand-in API server started inside a namespace (its loopback is not the host's).
class NamespacedStandin {
 public:
  NamespacedStandin(const Namespace& ns, const TempDir& dir, const std::string& flags)
      : port_file_(dir.File("standin.port")),
        server_(ns.In("python3 " + Quote(SourcePath("tests/standin/server.py")) +
                      " --port 0 --port-file " + Quote(port_file_) + " " + flags),
                dir.File("standin.out"), dir.File("standin.err")) {
    WaitFor([this] { return !ReadFile(port_file_).empty() || server_.Exited(); }, 10);
    std::string text = ReadFile(port_file_);
    if (text.empty())
      throw std::runtime_error("the stand-in server did not start: " + server_.err());
    port_ = std::stoi(text);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string port_file_;
  Background server_;
  int port_ = 0;
};

int CountLines(const std::string& text, const std::string& needle) {
  int n = 0;
  size_t at = 0;
  while ((at = text.find(needle, at)) != std::string::npos) {
    ++n;
    at += needle.size();
  }
  return n;
}

// What Wireshark makes of one frame of a record.
struct RecordedFrame {
  std::string icmp_type;        // ICMP (v4) type, empty for anything else
  bool paired = false;          // a reply Wireshark pairs with its request (icmp.resp_to)
  std::string checksum_status;  // icmp.checksum.status: "1" good, "0" bad
  std::string comment;
};

std::vector<RecordedFrame> ReadRecord(const std::string& record) {
  CommandResult r = RunShell("tshark -r " + Quote(record) +
                             " -T fields -E separator=/t -e icmp.type -e icmp.resp_to"
                             " -e icmp.checksum.status -e frame.comment");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<RecordedFrame> frames;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, '\t')) f.push_back(field);
    f.resize(4);
    frames.push_back({f[0], !f[1].empty(), f[2], f[3]});
  }
  return frames;
}

template <typename F>
std::vector<RecordedFrame> Select(const std::vector<RecordedFrame>& frames, F wanted) {
  std::vector<RecordedFrame> out;
  for (const RecordedFrame& f : frames) {
    if (wanted(f)) out.push_back(f);
  }
  return out;
}

bool IsRequest(const RecordedFrame& f) { return f.icmp_type == "8"; }
bool IsReply(const RecordedFrame& f) { return f.icmp_type == "0"; }

struct PingResult {
  int transmitted = -1;
  int received = -1;
  std::string text;
};

PingResult Ping(const Namespace& ns, const std::string& target) {
  CommandResult r = ns.Exec("ping -n -c 3 -i 0.2 -W 1 " + target);
  PingResult p;
  p.text = r.out + r.err;
  std::smatch m;
  if (std::regex_search(p.text, m, std::regex("(\\d+) packets transmitted, (\\d+) received"))) {
    p.transmitted = std::stoi(m[1]);
    p.received = std::stoi(m[2]);
  }
  return p;
}

// Starts `live` inside `ns` and waits until it says the device is up. Returns false (with a
// warning) when this machine cannot give the test a TUN device.
bool StartLive(Background& live) {
  bool ready = WaitFor(
      [&] { return live.out().find("host side") != std::string::npos || live.Exited(); }, 10);
  if (ready && !live.Exited()) return true;
  std::string err = live.err();
  if (err.find("TUN") != std::string::npos || err.find("/dev/net/tun") != std::string::npos) {
    testing::Skip("no TUN device can be created here, live mode is not tested: " + err);
    return false;
  }
  FAIL("live did not start: " << live.out() << err);
  return false;
}

bool NamespaceOrSkip(const Namespace& ns) {
  if (ns.ok()) return true;
  testing::Skip(
      "cannot create a network namespace (needs root and ip netns), live mode is not tested: " +
      ns.why());
  return false;
}

// --- Without privileges: the pieces ---------------------------------------------------------

TEST_CASE("--addr parsing: address, prefix, subnet and a peer to ping", "[live]") {
  Result<InterfaceAddress> a = ParseInterfaceAddress("10.99.0.1/24");
  REQUIRE(a.ok());
  CHECK(a->family == IpFamily::kIpv4);
  CHECK(a->prefix_length == 24);
  CHECK(a->Subnet() == "10.99.0.0/24");
  CHECK(a->PeerExample() == "10.99.0.2");
  // The next address would be the broadcast address: the one before is used.
  CHECK(ParseInterfaceAddress("10.99.0.254/24")->PeerExample() == "10.99.0.253");
  CHECK(ParseInterfaceAddress("198.51.100.255/23")->PeerExample() == "198.51.101.0");
  CHECK(ParseInterfaceAddress("192.0.2.0/31")->PeerExample() == "192.0.2.1");
  Result<InterfaceAddress> v6 = ParseInterfaceAddress("2001:db8::1/64");
  REQUIRE(v6.ok());
  CHECK(v6->family == IpFamily::kIpv6);
  CHECK(v6->Subnet() == "2001:db8::/64");
  CHECK(v6->PeerExample() == "2001:db8::2");

  CHECK(ParseInterfaceAddress("10.99.0.1").status().message() ==
        "--addr 10.99.0.1: give the host side's address with its prefix length, e.g. 10.99.0.1/24");
  CHECK(ParseInterfaceAddress("10.99.0.1/32").status().message() ==
        "--addr 10.99.0.1/32: /32 leaves no other address in the subnet to ping; use a shorter "
        "prefix, e.g. /24");
  CHECK(ParseInterfaceAddress("2001:db8::1/128").status().message() ==
        "--addr 2001:db8::1/128: /128 leaves no other address in the subnet to ping; use a "
        "shorter prefix, e.g. /24");
  CHECK(ParseInterfaceAddress("10.99.0.1/33").status().message() ==
        "--addr 10.99.0.1/33: the prefix length must be 1 to 32");
  CHECK(ParseInterfaceAddress("10.99.0.1/x").status().message() ==
        "--addr 10.99.0.1/x: the prefix length must be 1 to 32");
  CHECK(ParseInterfaceAddress("tun0/24").status().message() ==
        "--addr tun0/24: tun0 is not an IPv4 or IPv6 address");
}

TEST_CASE("TUN errors say what is missing and what to do", "[live]") {
  CHECK(TunErrorMessage(TunStep::kOpenClone, ENOENT, "tun0", "/dev/net/tun") ==
        "cannot open /dev/net/tun: No such file or directory; the kernel's TUN driver is not "
        "available: load it (sudo modprobe tun) or, in a container, pass the device in (docker "
        "run --device /dev/net/tun --cap-add NET_ADMIN)");
  CHECK(TunErrorMessage(TunStep::kOpenClone, EACCES, "tun0", "/dev/net/tun") ==
        "cannot open /dev/net/tun: Permission denied; live mode needs root or CAP_NET_ADMIN: run "
        "it with sudo, or give the binary the capability (sudo setcap cap_net_admin+ep $(command "
        "-v llmstack-replay))");
  CHECK(TunErrorMessage(TunStep::kAttach, EPERM, "tun0", "/dev/net/tun") ==
        "cannot create or open TUN device tun0: Operation not permitted; live mode needs root or "
        "CAP_NET_ADMIN: run it with sudo, give the binary the capability (sudo setcap "
        "cap_net_admin+ep $(command -v llmstack-replay)), or use a persistent device you own "
        "(sudo ip tuntap add dev tun0 mode tun user $USER)");
  CHECK(TunErrorMessage(TunStep::kAttach, EBUSY, "tun0", "/dev/net/tun") ==
        "TUN device tun0 is busy: another process has it open (another llmstack-replay live?); "
        "stop that process or choose another --tun name");
  CHECK(TunErrorMessage(TunStep::kAttach, EINVAL, "eth0", "/dev/net/tun") ==
        "cannot open eth0 as a TUN device: Invalid argument; eth0 exists and is not a "
        "single-queue TUN device (a TAP device or another kind of interface): choose another "
        "--tun name");
  CHECK(TunErrorMessage(TunStep::kAddress, EPERM, "tun0", "10.99.0.1/24") ==
        "cannot give tun0 the address 10.99.0.1/24: Operation not permitted; --addr needs root "
        "or CAP_NET_ADMIN (or leave --addr out and configure the device yourself: sudo ip addr "
        "add 10.99.0.1/24 dev tun0 && sudo ip link set tun0 up)");
}

TEST_CASE("a missing clone device and bad names are refused before anything is created", "[live]") {
  TempDir dir;
  Result<TunDevice> missing = TunDevice::Open("tun0", dir.File("no-such-tun"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message() ==
        TunErrorMessage(TunStep::kOpenClone, ENOENT, "tun0", dir.File("no-such-tun")));
  CHECK(TunDevice::Open("", dir.File("x")).status().message() ==
        "--tun : not a device name (1 to 15 characters, no '/', ':' or blanks)");
  CHECK(TunDevice::Open("a-name-too-long0", dir.File("x")).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(TunDevice::Open("tun/0", dir.File("x")).status().code() == StatusCode::kInvalidArgument);
  // Not the clone device: the kernel refuses the request, and nothing is left open.
  Result<TunDevice> not_tun = TunDevice::Open("tun0", "/dev/null");
  REQUIRE_FALSE(not_tun.ok());
  CHECK(not_tun.status().message().rfind("cannot create or open TUN device tun0: ", 0) == 0);
}

TEST_CASE("live refuses bad options with exit 2 before touching a device", "[live]") {
  struct Case {
    const char* args;
    const char* message;
  } cases[] = {
      {"--tun tun0 --model reference --fallback model",
       "llmstack-replay: --fallback model: the only fallback is 'reference'\n"},
      {"--tun tun0 --model reference --fallback reference --only-correct",
       "llmstack-replay: give --only-correct (wrong replies are not sent) or --fallback "
       "reference (wrong replies are replaced), not both\n"},
      {"--tun tun0 --model reference --addr 10.99.0.1",
       "llmstack-replay: --addr 10.99.0.1: give the host side's address with its prefix "
       "length, e.g. 10.99.0.1/24\n"},
      {"--tun tun0 --model reference -j 0", "llmstack-replay: --concurrency must be at least 1\n"},
      {"--tun tun0 --model nonsense:x", nullptr},
  };
  for (const Case& c : cases) {
    INFO(c.args);
    CommandResult r = testing::RunTool(std::string("live ") + c.args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    if (c.message) CHECK(r.err == c.message);
  }
}

TEST_CASE("the in-place record is a valid capture after every frame", "[live]") {
  TempDir dir;
  for (const char* name : {"rec.pcapng", "rec.pcap"}) {
    INFO(name);
    std::string path = dir.File(name);
    CaptureDescription description;
    description.comment = "test";
    Result<std::unique_ptr<CaptureWriter>> w =
        OpenInPlaceCaptureWriter(path, LinkType::kRaw, true, description);
    REQUIRE(w.ok());
    Bytes request = testing::Hex(testing::kExperimentRequest);
    for (int n = 1; n <= 3; ++n) {
      std::string comment = "frame " + std::to_string(n);
      OutputFrame f;
      f.time.sec = 1778500000 + n;
      f.data = request;
      f.comment = comment;
      REQUIRE((*w)->Write(f).ok());
      // Another process reading the file now sees every frame written so far, whole.
      Result<std::unique_ptr<CaptureReader>> r = CaptureReader::Open(path);
      REQUIRE(r.ok());
      CapturedFrame frame;
      int frames = 0;
      for (;;) {
        Result<bool> more = (*r)->Next(&frame);
        REQUIRE(more.ok());
        if (!*more) break;
        ++frames;
        CHECK(frame.captured_length == request.size());
      }
      CHECK(frames == n);
    }
    REQUIRE((*w)->Finish().ok());
    CHECK_FALSE((*w)->Write(OutputFrame()).ok());
  }
  CHECK(OpenInPlaceCaptureWriter(dir.File("no/such/dir.pcapng"), LinkType::kRaw, true, {})
            .status()
            .code() == StatusCode::kIoError);
}

// --- In a network namespace: the real ping -------------------------------------------------

TEST_CASE("live in a namespace: ping gets the reference stack's replies, all recorded", "[live]") {
  Namespace ns;
  if (!NamespaceOrSkip(ns)) return;
  TempDir dir;
  std::string record = dir.File("live.pcapng");
  Background live(
      ns.In(Tool() + " live --tun tun0 --addr 10.99.0.1/24 --model reference --record " +
            Quote(record)),
      dir.File("out"), dir.File("err"));
  if (!StartLive(live)) return;
  CHECK(live.out().find("LIVE tun0 (created): model reference:rfc (built-in reference stack, not "
                        "a model), profile rfc; replies written as the model wrote them\n"
                        "host side 10.99.0.1/24: ping 10.99.0.2 (or any other address in "
                        "10.99.0.0/24); Ctrl-C stops\n") == 0);

  PingResult ping = Ping(ns, "10.99.0.2");
  INFO(ping.text);
  CHECK(ping.transmitted == 3);
  CHECK(ping.received == 3);
  REQUIRE(WaitFor([&] { return CountLines(live.out(), "  ok") >= 3; }, 5));

  // The device is held: a second live on it is refused.
  CommandResult second =
      RunShell(ns.In("timeout 10 " + Tool() + " live --tun tun0 --model reference"));
  CHECK(second.exit_code == 2);
  CHECK(second.err ==
        "llmstack-replay: TUN device tun0 is busy: another process has it open (another "
        "llmstack-replay live?); stop that process or choose another --tun name\n");

  // The record is readable while live still runs: flushed as it goes.
  if (HaveCommand("tshark")) {
    std::vector<RecordedFrame> so_far = ReadRecord(record);
    CHECK(Select(so_far, IsRequest).size() == 3);
    CHECK(Select(so_far, IsReply).size() == 3);
  }

  live.Signal(SIGINT);
  CHECK(live.Wait(5) == 0);
  std::string out = live.out();
  INFO(out << live.err());
  CHECK(CountLines(out, " bytes from 10.99.0.2: icmp_seq=") == 3);
  CHECK(out.find("\n--- tun0 live statistics ---\n3 requests, 3 replied, 3 correct, 0 wrong") !=
        std::string::npos);
  CHECK(out.find("record: " + record + "\n") != std::string::npos);
  CHECK(live.err().empty());
  // The device this run created went away with it.
  CHECK(ns.Exec("ip link show tun0").exit_code != 0);

  if (!HaveCommand("tshark")) {
    testing::Skip("tshark is not installed: the record is checked with our reader only");
    return;
  }
  std::vector<RecordedFrame> frames = ReadRecord(record);
  std::vector<RecordedFrame> requests = Select(frames, IsRequest);
  REQUIRE(requests.size() == 3);
  for (const RecordedFrame& f : requests) CHECK(f.comment.empty());
  std::vector<RecordedFrame> replies = Select(frames, IsReply);
  REQUIRE(replies.size() == 3);
  for (const RecordedFrame& f : replies) {
    CHECK(f.paired);
    CHECK(f.checksum_status == "1");
    CHECK(f.comment.rfind("ok | reference:rfc (built-in reference stack, not a model) latency ",
                          0) == 0);
  }
  // Whatever else the kernel sent (router solicitations, MLD) is recorded and ignored.
  for (const RecordedFrame& f : frames) {
    if (!IsRequest(f) && !IsReply(f)) CHECK(f.comment == "not an echo request: ignored");
  }
}

TEST_CASE("live in a namespace with the stand-in API: IPv4 and IPv6 pings answered", "[live]") {
  Namespace ns;
  if (!NamespaceOrSkip(ns)) return;
  TempDir dir;
  NamespacedStandin standin(ns, dir, "--style chatty");
  std::string record = dir.File("live.pcapng");
  std::string model = "env ANTHROPIC_API_KEY=standin-key " + Tool() +
                      " live --model anthropic:claude-haiku-4-5 --base-url " + standin.url() +
                      " --cache " + Quote(dir.File("cache")) + " --journal " +
                      Quote(dir.File("journal.jsonl"));
  Background live(ns.In(model + " --tun tun0 --addr 10.99.0.1/24 --record " + Quote(record)),
                  dir.File("out"), dir.File("err"));
  if (!StartLive(live)) return;
  // A second device for IPv6, answered by the same stand-in.
  Background live6(ns.In("env ANTHROPIC_API_KEY=standin-key " + Tool() +
                         " live --model anthropic:claude-haiku-4-5 --base-url " + standin.url() +
                         " --no-cache --tun tun6 --addr 2001:db8::1/64"),
                   dir.File("out6"), dir.File("err6"));
  if (!StartLive(live6)) return;

  PingResult ping = Ping(ns, "10.99.0.2");
  INFO(ping.text);
  CHECK(ping.received == 3);
  PingResult ping6 = Ping(ns, "2001:db8::2");
  INFO(ping6.text);
  CHECK(ping6.received == 3);
  REQUIRE(WaitFor([&] { return CountLines(live.out(), "  ok") >= 3; }, 5));
  REQUIRE(WaitFor([&] { return CountLines(live6.out(), "  ok") >= 3; }, 5));

  live.Signal(SIGINT);
  live6.Signal(SIGTERM);
  CHECK(live.Wait(5) == 0);
  CHECK(live6.Wait(5) == 0);
  std::string out = live.out();
  INFO(out << live.err());
  CHECK(out.find("3 requests, 3 replied, 3 correct") != std::string::npos);
  CHECK(out.find("tokens: ") != std::string::npos);
  CHECK(live6.out().find("3 requests, 3 replied, 3 correct") != std::string::npos);
  // Every exchange is journaled, as in the main job, after the run's identity (no capture).
  std::string journal = ReadFile(dir.File("journal.jsonl"));
  CHECK(CountLines(journal, "\n") == 1 + 3);
  CHECK(journal.rfind("{\"run\":{\"capture_sha256\":null,", 0) == 0);
  if (HaveCommand("tshark")) {
    std::vector<RecordedFrame> frames = ReadRecord(record);
    CHECK(Select(frames, IsRequest).size() == 3);
    std::vector<RecordedFrame> replies = Select(frames, IsReply);
    REQUIRE(replies.size() == 3);
    for (const RecordedFrame& f : replies) {
      CHECK(f.paired);
      CHECK(f.comment.rfind("ok | anthropic:claude-haiku-4-5 latency ", 0) == 0);
    }
  }
}

TEST_CASE("live with a model that keeps the request's ICMP checksum: ping loses every reply",
          "[live]") {
  Namespace ns;
  if (!NamespaceOrSkip(ns)) return;
  TempDir dir;
  NamespacedStandin standin(ns, dir, "--mistakes icmp_checksum_unchanged");
  std::string record = dir.File("live.pcapng");
  Background live(ns.In("env ANTHROPIC_API_KEY=standin-key " + Tool() +
                        " live --model anthropic:claude-haiku-4-5 --base-url " + standin.url() +
                        " --no-cache --tun tun0 --addr 10.99.0.1/24 --record " + Quote(record)),
                  dir.File("out"), dir.File("err"));
  if (!StartLive(live)) return;

  // The kernel checks the ICMP checksum of what the model wrote and drops every reply.
  PingResult ping = Ping(ns, "10.99.0.2");
  INFO(ping.text);
  CHECK(ping.transmitted == 3);
  CHECK(ping.received == 0);
  REQUIRE(WaitFor([&] { return CountLines(live.out(), "  WRONG") >= 3; }, 5));

  live.Signal(SIGINT);
  CHECK(live.Wait(5) == 1);  // wrong replies, as for the main job
  std::string out = live.out();
  INFO(out << live.err());
  CHECK(std::regex_search(
      out, std::regex("64 bytes from 10\\.99\\.0\\.2: icmp_seq=1 ident=[0-9]+ frame=[0-9]+ ttl=64 "
                      "time=[0-9.]+ ms  "
                      "WRONG icmp\\.checksum 0x[0-9a-f]{4} \\(should be "
                      "0x[0-9a-f]{4}: not updated after type change\\)\n")));
  CHECK(out.find("3 requests, 3 replied, 0 correct, 3 wrong") != std::string::npos);
  CHECK(out.find("failing fields: icmp.checksum 3\n") != std::string::npos);
  if (HaveCommand("tshark")) {
    std::vector<RecordedFrame> frames = ReadRecord(record);
    CHECK(Select(frames, IsRequest).size() == 3);
    std::vector<RecordedFrame> replies = Select(frames, IsReply);
    REQUIRE(replies.size() == 3);
    for (const RecordedFrame& f : replies) {
      CHECK(f.checksum_status == "0");  // Wireshark agrees: bad
      CHECK(std::regex_match(f.comment, std::regex("WRONG icmp\\.checksum got 0x[0-9a-f]{4}, "
                                                   "should be 0x[0-9a-f]{4} \\(not updated after "
                                                   "type change\\) \\| anthropic:claude-haiku-4-5 "
                                                   "latency [0-9.]+ ms")));
    }
  }
}

TEST_CASE("--only-correct withholds wrong replies; --fallback reference replaces them, labelled",
          "[live]") {
  Namespace ns;
  if (!NamespaceOrSkip(ns)) return;
  TempDir dir;
  // Sequence 1 gets a checksum mistake, 2 a right answer, 3 no packet at all.
  NamespacedStandin standin(
      ns, dir, "--mistakes 'icmp_checksum_unchanged,none,unparseable' --mistake-by-seq");
  struct Case {
    const char* flag;
    int received;
    const char* seq1;
    const char* seq3;
  } cases[] = {
      {"--only-correct", 1, "; not sent (--only-correct)\n",
       "UNPARSEABLE (no packet in the answer: no hex packet in the answer)\n"},
      {"--fallback reference", 3, "; sent the reference reply instead (--fallback reference)\n",
       "UNPARSEABLE (no packet in the answer: no hex packet in the answer); sent the reference "
       "reply instead (--fallback reference)\n"},
  };
  for (const Case& c : cases) {
    INFO(c.flag);
    std::string record = dir.File(std::string(c.flag).substr(2, 4) + ".pcapng");
    Background live(ns.In("env ANTHROPIC_API_KEY=standin-key " + Tool() +
                          " live --model anthropic:claude-haiku-4-5 --base-url " + standin.url() +
                          " --no-cache --tun tun0 --addr 10.99.0.1/24 " + c.flag + " --record " +
                          Quote(record)),
                    dir.File("out"), dir.File("err"));
    if (!StartLive(live)) return;
    PingResult ping = Ping(ns, "10.99.0.2");
    INFO(ping.text);
    CHECK(ping.received == c.received);
    REQUIRE(WaitFor([&] { return CountLines(live.out(), "icmp_seq=3") >= 1; }, 5));
    live.Signal(SIGINT);
    CHECK(live.Wait(5) == 1);
    std::string out = live.out();
    INFO(out);
    CHECK(out.find(c.seq1) != std::string::npos);
    CHECK(out.find(c.seq3) != std::string::npos);
    CHECK(out.find("3 requests, 2 replied, 1 correct, 1 wrong, 0 no reply, 1 unparseable") !=
          std::string::npos);
    if (!HaveCommand("tshark")) continue;
    std::vector<RecordedFrame> replies = Select(ReadRecord(record), IsReply);
    // The model's wrong reply stays in the record, marked as not sent.
    std::vector<RecordedFrame> wrong =
        Select(replies, [](const RecordedFrame& f) { return f.comment.rfind("WRONG", 0) == 0; });
    REQUIRE(wrong.size() == 1);
    CHECK(wrong[0].comment.find(" | not written to tun0") != std::string::npos);
    // The reference's replies are never presented as the model's.
    std::vector<RecordedFrame> substitutes = Select(
        replies, [](const RecordedFrame& f) { return f.comment.rfind("reference reply", 0) == 0; });
    if (std::string(c.flag) == "--only-correct") {
      CHECK(replies.size() == 2);
      CHECK(substitutes.empty());
    } else {
      CHECK(replies.size() == 4);
      REQUIRE(substitutes.size() == 2);
      CHECK(substitutes[0].comment ==
            "reference reply sent instead of the model's wrong reply | reference:rfc (built-in "
            "reference stack, not a model)");
      CHECK(substitutes[1].comment ==
            "reference reply sent instead of the model's answer (unparseable) | reference:rfc "
            "(built-in reference stack, not a model)");
    }
  }
}

// Echo requests in a record, read with our own reader (the record may still be growing).
int RecordedRequests(const std::string& record) {
  Result<std::unique_ptr<CaptureReader>> reader = CaptureReader::Open(record);
  if (!reader.ok()) return 0;
  CapturedFrame frame;
  int requests = 0;
  for (;;) {
    Result<bool> more = (*reader)->Next(&frame);
    if (!more.ok() || !*more) break;
    Result<EchoPacket> p = EchoPacketFromDatagram(frame.data);
    requests += p.ok() && p->is_request();
  }
  return requests;
}

TEST_CASE("several requests in flight; Ctrl-C abandons what the model has not answered yet",
          "[live]") {
  Namespace ns;
  if (!NamespaceOrSkip(ns)) return;
  TempDir dir;
  NamespacedStandin standin(ns, dir, "--latency-ms 1500");
  std::string record = dir.File("live.pcapng");
  Background live(ns.In("env ANTHROPIC_API_KEY=standin-key " + Tool() +
                        " live --model anthropic:claude-haiku-4-5 --base-url " + standin.url() +
                        " --no-cache --tun tun0 --addr 10.99.0.1/24 --record " + Quote(record)),
                  dir.File("out"), dir.File("err"));
  if (!StartLive(live)) return;

  // Requests 200 ms apart, answers 1.5 s late: one at a time, the third would wait 2.6 s.
  CommandResult ping = ns.Exec("ping -n -c 3 -i 0.2 -W 3 10.99.0.2");
  INFO(ping.out);
  CHECK(ping.out.find("3 packets transmitted, 3 received") != std::string::npos);
  REQUIRE(WaitFor([&] { return CountLines(live.out(), "  ok") >= 3; }, 5));
  std::string out = live.out();
  const std::regex time("time=([0-9.]+) ms  ok");
  for (std::sregex_iterator it(out.begin(), out.end(), time), end; it != end; ++it) {
    CHECK(std::stod((*it)[1]) < 2300);
  }

  // One more request, and Ctrl-C while the model is still on it.
  Background late(ns.In("ping -n -c 1 -W 5 10.99.0.2"), dir.File("ping.out"), dir.File("ping.err"));
  REQUIRE(WaitFor([&] { return RecordedRequests(record) == 4; }, 5));
  live.Signal(SIGINT);
  auto start = std::chrono::steady_clock::now();
  CHECK(live.Wait(5) == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));
  out = live.out();
  INFO(out << live.err());
  CHECK(out.find("\n3 requests, 3 replied, 3 correct") != std::string::npos);
  CHECK(out.find("\n1 request still waiting for the model was abandoned (not graded)\n") !=
        std::string::npos);
  CHECK(RecordedRequests(record) == 4);
}

TEST_CASE("live stops with exit 3 when the API refuses the key", "[live]") {
  Namespace ns;
  if (!NamespaceOrSkip(ns)) return;
  TempDir dir;
  NamespacedStandin standin(ns, dir, "--status-override 401");
  Background live(ns.In("env ANTHROPIC_API_KEY=standin-key " + Tool() +
                        " live --model anthropic:claude-haiku-4-5 --base-url " + standin.url() +
                        " --no-cache --tun tun0 --addr 10.99.0.1/24"),
                  dir.File("out"), dir.File("err"));
  if (!StartLive(live)) return;
  CommandResult ping = ns.Exec("ping -n -c 1 -W 1 10.99.0.2");
  CHECK(ping.out.find("1 packets transmitted, 0 received") != std::string::npos);
  // No Ctrl-C needed: nothing more can be answered.
  CHECK(live.Wait(5) == 3);
  std::string out = live.out();
  INFO(out << live.err());
  CHECK(out.find("request 10.99.0.1 > 10.99.0.2: icmp_seq=1  ERROR (authentication") !=
        std::string::npos);
  CHECK(out.find("0 errors") == std::string::npos);
  CHECK(live.err().rfind("llmstack-replay: stopped: authentication", 0) == 0);
}

TEST_CASE("a persistent device configured outside the tool needs no CAP_NET_ADMIN", "[live]") {
  Namespace ns;
  if (!NamespaceOrSkip(ns)) return;
  if (!HaveCommand("capsh")) {
    testing::Skip("capsh is not installed: running without CAP_NET_ADMIN is not tested");
    return;
  }
  CommandResult setup = ns.Exec(
      "ip tuntap add dev tun0 mode tun user 0 && ip link set tun0 up && "
      "ip addr add 2001:db8::1/64 dev tun0");
  if (setup.exit_code != 0) {
    testing::Skip("cannot create a persistent TUN device here: " + setup.err);
    return;
  }
  TempDir dir;
  auto without_admin = [&](const std::string& args) {
    return ns.In("capsh --drop=cap_net_admin -- -c " + Quote("exec " + Tool() + " live " + args));
  };
  // Giving it an address is what needs the capability.
  CommandResult refused = RunShell("timeout 10 " + without_admin("--tun tun0 --model reference "
                                                                 "--addr 10.99.0.1/24"));
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.rfind("llmstack-replay: cannot give tun0 the address 10.99.0.1/24: Operation "
                          "not permitted; --addr needs root or CAP_NET_ADMIN",
                          0) == 0);

  Background live(without_admin("--tun tun0 --model reference"), dir.File("out"), dir.File("err"));
  if (!StartLive(live)) return;
  CHECK(live.out().find("LIVE tun0: ") == 0);  // opened, not created
  CHECK(live.out().find("\nhost side 2001:db8::1/64 (configured outside this tool): ping "
                        "2001:db8::2 (or any other address in 2001:db8::/64); Ctrl-C stops\n") !=
        std::string::npos);
  PingResult ping = Ping(ns, "2001:db8::2");
  INFO(ping.text);
  CHECK(ping.received == 3);
  REQUIRE(WaitFor([&] { return CountLines(live.out(), "  ok") >= 3; }, 5));
  live.Signal(SIGINT);
  CHECK(live.Wait(5) == 0);
  // A persistent device outlives the run.
  CHECK(ns.Exec("ip link show tun0").exit_code == 0);
}

TEST_CASE("live without CAP_NET_ADMIN says so and exits 2", "[live]") {
  Namespace ns;
  if (!NamespaceOrSkip(ns)) return;
  bool tried = false;
  if (HaveCommand("capsh")) {
    tried = true;
    CommandResult r =
        RunShell(ns.In("capsh --drop=cap_net_admin -- -c " +
                       Quote("exec timeout 10 " + Tool() + " live --tun tun0 --model reference")));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("llmstack-replay: cannot create or open TUN device tun0: Operation not "
                     "permitted; live mode needs root or CAP_NET_ADMIN") == 0);
  }
  // An unprivileged user: refused at /dev/net/tun (mode 0600) or at the device (mode 0666).
  if (HaveCommand("setpriv") &&
      RunShell("setpriv --reuid=65534 --regid=65534 --clear-groups test -x " + Tool()).exit_code ==
          0) {
    tried = true;
    CommandResult r =
        RunShell(ns.In("setpriv --reuid=65534 --regid=65534 --clear-groups timeout 10 " + Tool() +
                       " live --tun tun0 --model reference --no-cache"));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("live mode needs root or CAP_NET_ADMIN") != std::string::npos);
  }
  if (!tried) testing::Skip("neither capsh nor setpriv can drop privileges here: not tested");
}

}  // namespace
}  // namespace llmstack
