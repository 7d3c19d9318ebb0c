#ifndef META_PROXY_CCURL_SHIM_H
#define META_PROXY_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt is variadic, which Swift cannot call: typed wrappers.
static inline CURLcode mp_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode mp_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode mp_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode mp_curl_getinfo_ptr(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }

// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this signature.
typedef size_t (*mp_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode mp_curl_setopt_write(CURL *h, CURLoption o, mp_curl_write_cb cb) { return curl_easy_setopt(h, o, cb); }

// CURLOPT_XFERINFOFUNCTION: called about once a second even while idle; non-zero aborts the transfer.
typedef int (*mp_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode mp_curl_setopt_xferinfo(CURL *h, mp_curl_xferinfo_cb cb) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb); }

// CURL_GLOBAL_DEFAULT is a macro Swift may not import as a constant.
static inline CURLcode mp_curl_global_init_default(void) { return curl_global_init(CURL_GLOBAL_DEFAULT); }
#endif
