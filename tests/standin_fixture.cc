#include "standin_fixture.h"

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "grade/responder.h"
#include "packet/capture_writer.h"

extern char** environ;

namespace llmstack::testing {

namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string Http(const std::string& url, const std::string* post_body) {
  CURL* e = curl_easy_init();
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
  curl_slist* headers = curl_slist_append(nullptr, "content-type: application/json");
  if (post_body) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  }
  CURLcode rc = curl_easy_perform(e);
  curl_slist_free_all(headers);
  curl_easy_cleanup(e);
  if (rc != CURLE_OK) throw std::runtime_error("stand-in control request failed: " + url);
  return body;
}

}  // namespace

StandinServer::StandinServer(const std::string& flags) {
  std::string port_file = dir_.File("port");
  std::string command = "exec python3 '" + SourcePath("tests/standin/server.py") +
                        "' --port 0 --port-file '" + port_file + "' " + flags + " >'" +
                        dir_.File("log") + "' 2>&1";
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  if (posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
    throw std::runtime_error("cannot start the stand-in server");
  }
  for (int i = 0; i < 200 && port_ == 0; ++i) {
    std::string text = ReadFile(port_file);
    if (!text.empty()) port_ = std::stoi(text);
    if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port_ == 0)
    throw std::runtime_error("the stand-in server did not start: " + ReadFile(dir_.File("log")));
}

StandinServer::~StandinServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

nlohmann::json StandinServer::Stats() const {
  return nlohmann::json::parse(Http(anthropic_url() + "/_stats", nullptr));
}

void StandinServer::Control(const nlohmann::json& settings) const {
  std::string body = settings.dump();
  Http(anthropic_url() + "/_control", &body);
}

void StandinServer::Reset() const {
  std::string body = "{}";
  Http(anthropic_url() + "/_reset", &body);
}

void WriteRequestCapture(const std::string& path, int count, bool with_ipv6) {
  CaptureDescription description;
  auto writer = OpenCaptureWriter(path, LinkType::kEthernet, false, description);
  if (!writer.ok()) throw std::runtime_error(writer.status().message());
  for (int seq = 1; seq <= count; ++seq) {
    bool v6 = with_ipv6 && seq % 2 == 0;
    size_t data = static_cast<size_t>((seq * 7) % 61);
    Bytes d;
    ByteWriter w(&d);
    if (!v6) {
      w.U8(0x45);
      w.U8(0);
      w.Be16(static_cast<uint16_t>(20 + 8 + data));
      w.Be16(static_cast<uint16_t>(0x1000 + seq));
      w.Be16(0x4000);
      w.U8(64);
      w.U8(1);
      w.Be16(0);
      w.Append(Hex("c0000201"));
      w.Append(Hex("c0000202"));
      w.U8(8);
    } else {
      w.Be32(0x60000000);
      w.Be16(static_cast<uint16_t>(8 + data));
      w.U8(58);
      w.U8(64);
      w.Append(Hex("20010db8000000000000000000000001"));
      w.Append(Hex("20010db8000000000000000000000002"));
      w.U8(128);
    }
    w.U8(0);
    w.Be16(0);
    w.Be16(0x4242);
    w.Be16(static_cast<uint16_t>(seq));
    for (size_t i = 0; i < data; ++i) w.U8(static_cast<uint8_t>(i + seq));
    RefreshChecksums(d, v6 ? IpFamily::kIpv6 : IpFamily::kIpv4, v6 ? 40 : 20);
    Bytes frame = Hex(v6 ? "02000000000202000000000186dd"
                         : "020000000002020000000001"
                           "0800");
    frame.insert(frame.end(), d.begin(), d.end());
    OutputFrame f;
    f.time.sec = 1778500000 + seq;
    f.data = frame;
    Status s = (*writer)->Write(f);
    if (!s.ok()) throw std::runtime_error(s.message());
  }
  Status s = (*writer)->Finish();
  if (!s.ok()) throw std::runtime_error(s.message());
}

}  // namespace llmstack::testing
