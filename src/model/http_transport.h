// HTTP through libcurl's multi interface: many requests in flight over one connection pool,
// explicit connect and total timeouts, and a cap on the response size. Every libcurl handle is
// owned by RAII types here; libcurl itself comes from LoadCurl() (curl_library.h).
#ifndef LLMSTACK_MODEL_HTTP_TRANSPORT_H_
#define LLMSTACK_MODEL_HTTP_TRANSPORT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/curl_library.h"

namespace llmstack {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "name: value"
  std::string body;                  // POSTed as is
};

struct HttpResponse {
  uint64_t tag = 0;
  int transport_error = 0;  // CURLcode; 0 when an HTTP response arrived
  std::string error;        // libcurl's description of a transport error
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool too_large = false;  // the body passed the cap and the transfer was stopped
  double seconds = 0;      // total time of the transfer
};

class HttpTransport {
 public:
  HttpTransport(const CurlLibrary& curl, int max_connections, double connect_timeout_s,
                double total_timeout_s, size_t max_response_bytes);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  void Start(uint64_t tag, HttpRequest request);
  // Drives the transfers for up to `timeout_s` and returns those that finished.
  std::vector<HttpResponse> Poll(double timeout_s);
  size_t Running() const { return transfers_.size(); }
  // Stops every transfer; they are not reported.
  void CancelAll();

 private:
  struct Transfer;
  const CurlLibrary& curl_;
  CURLM* multi_;
  double connect_timeout_s_;
  double total_timeout_s_;
  size_t max_response_bytes_;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
};

// Whether a libcurl error is worth retrying (connection problems, timeouts, cut transfers).
bool IsTransientTransportError(int curl_code);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_HTTP_TRANSPORT_H_
