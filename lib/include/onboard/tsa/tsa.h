// onboard::tsa — an RFC 3161 time-stamp over HTTP (RFC 3161 §3.4): POST the TimeStampReq as
// application/timestamp-query, read the application/timestamp-reply, and return the token only
// after x509::check_timestamp_reply accepted it (status, nonce, imprint, signature). The only
// component that links libcurl.
#pragma once

#include <string>

#include "onboard/core/core.h"

namespace onboard::tsa {

/// A TimeStampToken (DER ContentInfo) over `data` from the TSA at `url`. Every failure
/// (unreachable, HTTP error, refused, nonce/imprint mismatch, bad token) is Errc::key (SPEC §8 exit
/// 4: the TSA is a remote signing service, like an HSM), with a message naming the URL.
Expected<Bytes> timestamp(const std::string& url, ByteView data);

}  // namespace onboard::tsa
