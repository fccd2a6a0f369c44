// libcurl, loaded on first use rather than at program start. Linking it would map libcurl and
// the two dozen libraries it needs (TLS, Kerberos, LDAP, SSH, IDN, ...) into every run, which
// costs more than grading a small capture takes; only the model backends talk HTTP.
#ifndef LLMSTACK_MODEL_CURL_LIBRARY_H_
#define LLMSTACK_MODEL_CURL_LIBRARY_H_

#include <curl/curl.h>

#include "base/status.h"

namespace llmstack {

// The libcurl functions this program calls, resolved from the shared library.
struct CurlLibrary {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL* easy, CURLoption option, ...);
  CURLcode (*easy_getinfo)(CURL* easy, CURLINFO info, ...);
  void (*easy_cleanup)(CURL* easy);
  const char* (*easy_strerror)(CURLcode code);
  CURLM* (*multi_init)();
  CURLMcode (*multi_setopt)(CURLM* multi, CURLMoption option, ...);
  CURLMcode (*multi_add_handle)(CURLM* multi, CURL* easy);
  CURLMcode (*multi_remove_handle)(CURLM* multi, CURL* easy);
  CURLMcode (*multi_perform)(CURLM* multi, int* running);
  CURLMcode (*multi_poll)(CURLM* multi, struct curl_waitfd extra[], unsigned int extra_count,
                          int timeout_ms, int* ready);
  CURLMsg* (*multi_info_read)(CURLM* multi, int* left);
  CURLMcode (*multi_cleanup)(CURLM* multi);
  curl_slist* (*slist_append)(curl_slist* list, const char* text);
  void (*slist_free_all)(curl_slist* list);
};

// Loads libcurl (libcurl.so.4, the ABI of the headers built against) and runs its global
// initialisation, once per process; later calls return the same table or the same error.
// Errors: kUnsupported when the library or one of its functions cannot be found.
Result<const CurlLibrary*> LoadCurl();

// What LoadCurl() does, from the library `soname`, each time it is called.
Result<CurlLibrary> LoadCurlLibrary(const char* soname);

}  // namespace llmstack

#endif  // LLMSTACK_MODEL_CURL_LIBRARY_H_
