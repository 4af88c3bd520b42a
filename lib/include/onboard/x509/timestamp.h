// onboard::x509 — RFC 3161 time-stamp tokens: the request a signing tool sends, the checks on the
// reply before a token is embedded, and the verification of an embedded token (SPEC §13.6).
// Transport (HTTP) lives in onboard::tsa; everything that touches OpenSSL's TS_* API is here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/x509/x509.h"

namespace onboard::x509 {

/// A TimeStampReq (RFC 3161 §2.4.1): SHA-256 imprint of `data`, a random 64-bit nonce, certReq true.
struct TimestampRequest {
  Bytes der;    ///< the encoded TimeStampReq, the HTTP body
  Bytes nonce;  ///< the nonce's big-endian bytes, compared with the reply's
  Bytes data;   ///< what the imprint covers (the caller's bytes)
};
Expected<TimestampRequest> make_timestamp_request(ByteView data);

/// Check a TimeStampResp for `request` before its token is embedded: status granted (0 or 1),
/// the nonce and the message imprint equal the request's, and the token's CMS signature verifies
/// with the TSA certificate carried in the token, which must have EKU timeStamping (critical).
/// Returns the TimeStampToken (ContentInfo) DER. Every failure is Errc::key (SPEC §8: the TSA is
/// a remote signing service, like an HSM), with the reason in the message.
Expected<Bytes> check_timestamp_reply(ByteView reply_der, const TimestampRequest& request);

/// What a verified token says.
struct TimestampInfo {
  UnixTime gen_time = 0;
  std::string tsa_subject;  ///< the signing TSA certificate's subject
  std::string policy_oid;   ///< TSTInfo.policy, dotted
  std::string hash;         ///< imprint hash algorithm (sha256, ...)
  std::vector<Certificate> chain;  ///< TSA certificate → anchor (empty unless trusted)
};
/// Verdict on an embedded token (SPEC §13.6): a token whose imprint does not cover `data` or whose
/// signature does not verify is `failed`; a sound token whose TSA does not chain to an anchor at
/// `at` (or lacks EKU timeStamping) is `untrusted` (not honoured); otherwise `trusted`.
enum class TimestampVerdict { trusted, untrusted, failed };
struct TimestampCheck {
  TimestampVerdict verdict = TimestampVerdict::failed;
  std::string detail;
  TimestampInfo info;  ///< filled as far as the token could be read
};
TimestampCheck verify_timestamp_token(ByteView token_der, ByteView data, const std::vector<Certificate>& anchors,
                                      UnixTime at);

}  // namespace onboard::x509
