// Starts the stand-in LLM API server (tests/standin/server.py) on an ephemeral 127.0.0.1 port
// for one test, and talks to its control endpoints.
#ifndef LLMSTACK_TESTS_STANDIN_FIXTURE_H_
#define LLMSTACK_TESTS_STANDIN_FIXTURE_H_

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>

#include "test_support.h"

namespace llmstack::testing {

class StandinServer {
 public:
  // `flags` are extra server flags, e.g. "--latency-ms 100 --api-key-env STANDIN_KEY".
  explicit StandinServer(const std::string& flags = "");
  ~StandinServer();

  int port() const { return port_; }
  std::string anthropic_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string openai_url() const { return anthropic_url() + "/v1"; }

  nlohmann::json Stats() const;
  void Control(const nlohmann::json& settings) const;
  void Reset() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Writes a capture (Ethernet) of `count` echo requests: IPv4 and IPv6 alternating when
// `with_ipv6`, sequence numbers 1..count, data sizes varying with the sequence number.
void WriteRequestCapture(const std::string& path, int count, bool with_ipv6);

}  // namespace llmstack::testing

#endif  // LLMSTACK_TESTS_STANDIN_FIXTURE_H_
