// Secrets the tool must never keep or show (DESIGN §4): the API keys in the environment and
// credentials written into a base URL. Text that a backend produced (an answer, a server's
// error message, a command's output) is redacted on its way into the session, so that no sink
// (terminal, journal, cache, reports, captures) ever sees a secret.
#ifndef LLMSTACK_BASE_SECRETS_H_
#define LLMSTACK_BASE_SECRETS_H_

#include <string>
#include <string_view>
#include <vector>

namespace llmstack {

// What a secret is replaced by.
inline constexpr std::string_view kRedacted = "[redacted]";
// Shorter values are not treated as secrets: no real key is that short, and replacing every
// "ok" of a text because a test key is "ok" would garble what the tool reports.
inline constexpr size_t kMinSecretLength = 8;

class SecretRedactor {
 public:
  // The values of ANTHROPIC_API_KEY and OPENAI_API_KEY, whichever backend runs: an `exec:`
  // command inherits the environment and can print them.
  static SecretRedactor FromEnvironment();

  // Adds a secret; one shorter than kMinSecretLength is ignored.
  void Add(std::string_view secret);
  // The text with every occurrence of every secret replaced by kRedacted (the longest secret
  // first, so a secret that contains another is removed whole).
  std::string Redact(std::string_view text) const;
  bool empty() const { return secrets_.empty(); }

 private:
  std::vector<std::string> secrets_;  // longest first
};

// The parts of a URL that carry credentials: the userinfo before '@' in the authority and the
// query string after '?' (RFC 3986 §3.2.1, §3.4). Empty when there are none.
std::vector<std::string> UrlCredentials(std::string_view url);
// Whether the URL has a userinfo ('@' in the authority) or a query ('?'), even an empty one.
bool UrlHasCredentials(std::string_view url);

}  // namespace llmstack

#endif  // LLMSTACK_BASE_SECRETS_H_
