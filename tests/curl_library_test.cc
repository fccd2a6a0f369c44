// libcurl is loaded on first use: the table is complete, and a missing library or function is
// an error that names it, not a crash.
#include "model/curl_library.h"

#include <catch2/catch.hpp>

namespace llmstack {
namespace {

TEST_CASE("libcurl loads with every function the transport calls") {
  Result<const CurlLibrary*> curl = LoadCurl();
  REQUIRE(curl.ok());
  const CurlLibrary& c = **curl;
  CHECK(c.easy_init != nullptr);
  CHECK(c.multi_poll != nullptr);
  CHECK(c.slist_free_all != nullptr);
  // A real handle from the loaded library.
  CURL* easy = c.easy_init();
  REQUIRE(easy != nullptr);
  CHECK(c.easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:9/") == CURLE_OK);
  c.easy_cleanup(easy);
  CHECK(std::string(c.easy_strerror(CURLE_COULDNT_CONNECT)) == "Couldn't connect to server");
  // Loaded once: the same table each time.
  CHECK(*LoadCurl() == &c);
}

TEST_CASE("a library that cannot be loaded is an error naming it") {
  Result<CurlLibrary> missing = LoadCurlLibrary("libllmstack-no-such-library.so.9");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kUnsupported);
  CHECK_THAT(missing.status().message(),
             Catch::StartsWith("cannot load libllmstack-no-such-library.so.9 for HTTP: "));
}

TEST_CASE("a library without libcurl's functions is an error naming the first one missing") {
  // libpcap is loaded already (the program links it) and has none of them.
  Result<CurlLibrary> wrong = LoadCurlLibrary("libpcap.so.0.8");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message() ==
        "libpcap.so.0.8 has no curl_global_init (libcurl 7.66 or later is needed)");
}

}  // namespace
}  // namespace llmstack
