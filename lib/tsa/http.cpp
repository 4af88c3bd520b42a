// RFC 3161 §3.4 "Time-Stamp Protocol via HTTP" with libcurl's easy interface.
#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "onboard/tsa/tsa.h"
#include "onboard/x509/timestamp.h"

namespace onboard::tsa {
namespace {

constexpr std::size_t kMaxReply = 1u << 20;  // a TimeStampResp is a few KiB; refuse anything huge
constexpr long kTimeoutSeconds = 30;

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* s) const { curl_slist_free_all(s); }
};

std::size_t collect(char* ptr, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<Bytes*>(user);
  std::size_t len = size * n;
  if (out->size() + len > kMaxReply) return 0;  // makes curl fail with CURLE_WRITE_ERROR
  out->insert(out->end(), ptr, ptr + len);
  return len;
}

tl::unexpected<Error> tsa_fail(const std::string& url, const std::string& why) {
  return fail(Errc::key, "--tsa " + url + ": " + why);
}

Expected<Bytes> post(const std::string& url, const Bytes& body) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, CurlFree> curl(curl_easy_init());
  if (!curl) return tsa_fail(url, "cannot start an HTTP client");
  std::unique_ptr<curl_slist, SlistFree> headers(curl_slist_append(nullptr, "Content-Type: application/timestamp-query"));
  headers.reset(curl_slist_append(headers.release(), "Accept: application/timestamp-reply"));
  Bytes reply;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, reinterpret_cast<const char*>(body.data()));
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, kTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    return tsa_fail(url, std::string("TSA unreachable: ") + (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return tsa_fail(url, "TSA answered HTTP " + std::to_string(status));
  char* type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
  if (!type || std::string(type).rfind("application/timestamp-reply", 0) != 0)
    return tsa_fail(url, std::string("TSA answered Content-Type ") + (type ? type : "(none)") +
                             ", not application/timestamp-reply");
  return reply;
}

}  // namespace

Expected<Bytes> timestamp(const std::string& url, ByteView data) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return fail(Errc::usage, "--tsa " + url + ": give an http:// or https:// URL (RFC 3161 §3.4)");
  auto request = x509::make_timestamp_request(data);
  if (!request) return fail(std::move(request.error()));
  auto reply = post(url, request->der);
  if (!reply) return fail(std::move(reply.error()));
  auto token = x509::check_timestamp_reply(*reply, *request);
  if (!token) return tsa_fail(url, token.error().message);
  return token;
}

}  // namespace onboard::tsa
