#ifndef FLEXSYNC_CCURLSHIM_H
#define FLEXSYNC_CCURLSHIM_H
#include <curl/curl.h>

/* Typed wrappers for libcurl's variadic curl_easy_setopt / curl_easy_getinfo,
   which Swift cannot call directly. */
CURLcode fs_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode fs_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode fs_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode fs_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode fs_curl_setopt_write_function(CURL *handle,
    size_t (*callback)(char *data, size_t size, size_t count, void *userdata));
CURLcode fs_curl_setopt_header_function(CURL *handle,
    size_t (*callback)(char *data, size_t size, size_t count, void *userdata));
CURLcode fs_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
