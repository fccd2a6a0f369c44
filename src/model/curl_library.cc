#include "model/curl_library.h"

#include <dlfcn.h>

#include <string>

namespace llmstack {

namespace {

// Points `*function` at `name` in `library`; false when it is not there.
template <typename Function>
bool Resolve(void* library, const char* name, Function* function) {
  *function = reinterpret_cast<Function>(dlsym(library, name));
  return *function != nullptr;
}

}  // namespace

Result<CurlLibrary> LoadCurlLibrary(const char* soname) {
  void* library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    return Unsupported(std::string("cannot load ") + soname +
                       " for HTTP: " + (why ? why : "not found") + " (apt-get install libcurl4)");
  }
  CurlLibrary c{};
  const char* missing = nullptr;
  auto need = [&](const char* name, auto* function) {
    if (!missing && !Resolve(library, name, function)) missing = name;
  };
  need("curl_global_init", &c.global_init);
  need("curl_easy_init", &c.easy_init);
  need("curl_easy_setopt", &c.easy_setopt);
  need("curl_easy_getinfo", &c.easy_getinfo);
  need("curl_easy_cleanup", &c.easy_cleanup);
  need("curl_easy_strerror", &c.easy_strerror);
  need("curl_multi_init", &c.multi_init);
  need("curl_multi_setopt", &c.multi_setopt);
  need("curl_multi_add_handle", &c.multi_add_handle);
  need("curl_multi_remove_handle", &c.multi_remove_handle);
  need("curl_multi_perform", &c.multi_perform);
  need("curl_multi_poll", &c.multi_poll);
  need("curl_multi_info_read", &c.multi_info_read);
  need("curl_multi_cleanup", &c.multi_cleanup);
  need("curl_slist_append", &c.slist_append);
  need("curl_slist_free_all", &c.slist_free_all);
  if (missing) {
    // The library stays loaded: a failed load is not retried, and unloading buys nothing.
    return Unsupported(std::string(soname) + " has no " + missing +
                       " (libcurl 7.66 or later is needed)");
  }
  CURLcode init = c.global_init(CURL_GLOBAL_DEFAULT);
  if (init != CURLE_OK) {
    return Unsupported(std::string("libcurl failed to initialise: ") + c.easy_strerror(init));
  }
  return c;
}

Result<const CurlLibrary*> LoadCurl() {
  // The soname of libcurl's ABI 4, the one <curl/curl.h> describes since libcurl 7.16.
  static const Result<CurlLibrary> loaded = LoadCurlLibrary("libcurl.so.4");  // once (C++11)
  if (!loaded.ok()) return loaded.status();
  return &loaded.value();
}

}  // namespace llmstack
