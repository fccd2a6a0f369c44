#include "base/secrets.h"

#include <algorithm>
#include <cstdlib>

namespace llmstack {

namespace {

struct UrlParts {
  std::string_view userinfo;  // without the '@'
  bool has_userinfo = false;
  std::string_view query;  // without the '?'
  bool has_query = false;
};

// RFC 3986 §3: scheme "://" authority path ["?" query] ["#" fragment]; the authority ends at
// the first '/', '?' or '#', and a userinfo is what comes before its last '@'.
UrlParts SplitUrl(std::string_view url) {
  UrlParts p;
  size_t scheme = url.find("://");
  size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  std::string_view host = url.substr(authority, authority_end - authority);
  size_t at = host.rfind('@');
  if (at != std::string_view::npos) {
    p.has_userinfo = true;
    p.userinfo = host.substr(0, at);
  }
  size_t fragment = url.find('#', authority);
  size_t question = url.find('?', authority);
  if (question != std::string_view::npos && question < fragment) {
    p.has_query = true;
    size_t end = fragment == std::string_view::npos ? url.size() : fragment;
    p.query = url.substr(question + 1, end - question - 1);
  }
  return p;
}

}  // namespace

SecretRedactor SecretRedactor::FromEnvironment() {
  SecretRedactor r;
  for (const char* name : {"ANTHROPIC_API_KEY", "OPENAI_API_KEY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr) r.Add(value);
  }
  return r;
}

void SecretRedactor::Add(std::string_view secret) {
  if (secret.size() < kMinSecretLength) return;
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string SecretRedactor::Redact(std::string_view text) const {
  std::string out(text);
  for (const std::string& secret : secrets_) {
    for (size_t at = out.find(secret); at != std::string::npos;
         at = out.find(secret, at + kRedacted.size())) {
      out.replace(at, secret.size(), kRedacted);
    }
  }
  return out;
}

std::vector<std::string> UrlCredentials(std::string_view url) {
  UrlParts p = SplitUrl(url);
  std::vector<std::string> out;
  if (!p.userinfo.empty()) {
    out.emplace_back(p.userinfo);
    // user:password: the password alone may also turn up (an error message quoting it).
    size_t colon = p.userinfo.find(':');
    if (colon != std::string_view::npos && colon + 1 < p.userinfo.size())
      out.emplace_back(p.userinfo.substr(colon + 1));
  }
  if (!p.query.empty()) {
    out.emplace_back(p.query);
    // key=value&...: each value on its own.
    std::string_view q = p.query;
    while (!q.empty()) {
      size_t amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && eq + 1 < pair.size())
        out.emplace_back(pair.substr(eq + 1));
      if (amp == std::string_view::npos) break;
      q.remove_prefix(amp + 1);
    }
  }
  return out;
}

bool UrlHasCredentials(std::string_view url) {
  UrlParts p = SplitUrl(url);
  return p.has_userinfo || p.has_query;
}

}  // namespace llmstack
