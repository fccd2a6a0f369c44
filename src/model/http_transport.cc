#include "model/http_transport.h"

#include <algorithm>
#include <cctype>

namespace llmstack {

namespace {

struct SlistDeleter {
  const CurlLibrary* curl;
  void operator()(curl_slist* l) const { curl->slist_free_all(l); }
};

}  // namespace

struct HttpTransport::Transfer {
  explicit Transfer(const CurlLibrary& c) : curl(c), headers(nullptr, SlistDeleter{&c}) {}

  const CurlLibrary& curl;
  uint64_t tag = 0;
  CURL* easy = nullptr;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  std::string body;  // must outlive the transfer (CURLOPT_POSTFIELDS does not copy)
  HttpResponse response;
  size_t max_bytes = 0;
  char error[CURL_ERROR_SIZE] = {0};

  ~Transfer() {
    if (easy != nullptr) curl.easy_cleanup(easy);
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* self) {
    Transfer* t = static_cast<Transfer*>(self);
    size_t n = size * count;
    if (t->response.body.size() + n > t->max_bytes) {
      t->response.too_large = true;
      return 0;  // stops the transfer with CURLE_WRITE_ERROR
    }
    t->response.body.append(data, n);
    return n;
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* self) {
    Transfer* t = static_cast<Transfer*>(self);
    size_t n = size * count;
    std::string line(data, n);
    size_t colon = line.find(':');
    if (colon == std::string::npos) {
      // A new status line (after a 100 Continue or a redirect) starts a new header set.
      if (line.rfind("HTTP/", 0) == 0) t->response.headers.clear();
      return n;
    }
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.pop_back();
    }
    t->response.headers[name] = value;
    return n;
  }
};

HttpTransport::HttpTransport(const CurlLibrary& curl, int max_connections, double connect_timeout_s,
                             double total_timeout_s, size_t max_response_bytes)
    : curl_(curl),
      connect_timeout_s_(connect_timeout_s),
      total_timeout_s_(total_timeout_s),
      max_response_bytes_(max_response_bytes) {
  multi_ = curl_.multi_init();
  curl_.multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(max_connections));
  curl_.multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(max_connections));
  curl_.multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
}

HttpTransport::~HttpTransport() {
  CancelAll();
  curl_.multi_cleanup(multi_);
}

void HttpTransport::Start(uint64_t tag, HttpRequest request) {
  auto t = std::make_unique<Transfer>(curl_);
  t->tag = tag;
  t->response.tag = tag;
  t->max_bytes = max_response_bytes_;
  t->body = std::move(request.body);
  curl_slist* list = nullptr;
  for (const std::string& h : request.headers) list = curl_.slist_append(list, h.c_str());
  t->headers.reset(list);
  CURL* e = curl_.easy_init();
  t->easy = e;
  curl_.easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_.easy_setopt(e, CURLOPT_HTTPHEADER, list);
  curl_.easy_setopt(e, CURLOPT_POST, 1L);
  curl_.easy_setopt(e, CURLOPT_POSTFIELDS, t->body.data());
  curl_.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
  curl_.easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_.easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_.easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_.easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_.easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_s_ * 1000));
  curl_.easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(total_timeout_s_ * 1000));
  curl_.easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_.easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_.easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_.easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_.multi_add_handle(multi_, e);
  transfers_[e] = std::move(t);
}

std::vector<HttpResponse> HttpTransport::Poll(double timeout_s) {
  std::vector<HttpResponse> done;
  int running = 0;
  curl_.multi_perform(multi_, &running);
  if (!transfers_.empty() && timeout_s > 0) {
    curl_.multi_poll(multi_, nullptr, 0, static_cast<int>(timeout_s * 1000), nullptr);
    curl_.multi_perform(multi_, &running);
  }
  CURLMsg* msg;
  int left = 0;
  while ((msg = curl_.multi_info_read(multi_, &left)) != nullptr) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    auto it = transfers_.find(e);
    if (it == transfers_.end()) continue;
    Transfer& t = *it->second;
    HttpResponse r = std::move(t.response);
    CURLcode code = msg->data.result;
    curl_.easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
    curl_.easy_getinfo(e, CURLINFO_TOTAL_TIME, &r.seconds);
    if (code != CURLE_OK) {
      r.transport_error = code;
      r.error = t.error[0] ? t.error : curl_.easy_strerror(code);
      if (r.too_large)
        r.error = "response larger than " + std::to_string(max_response_bytes_) + " bytes";
    }
    curl_.multi_remove_handle(multi_, e);
    transfers_.erase(it);
    done.push_back(std::move(r));
  }
  return done;
}

void HttpTransport::CancelAll() {
  for (auto& [easy, t] : transfers_) curl_.multi_remove_handle(multi_, easy);
  transfers_.clear();
}

bool IsTransientTransportError(int curl_code) {
  switch (curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WRITE_ERROR:  // the body passed the size cap
      return true;
    default:
      return false;
  }
}

}  // namespace llmstack
