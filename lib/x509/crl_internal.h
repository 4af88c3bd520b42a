// Private to onboard::x509: serial numbers, times and entries shared by the CRL reader (crl.cpp)
// and the CRL maker (crl_make.cpp).
#pragma once

#include <string>

#include "ossl.h"
#include "onboard/x509/crl.h"

namespace onboard::x509::detail {

/// An ASN1 time as Unix seconds (0 when unreadable).
UnixTime asn1_to_unix(const ASN1_TIME* t);
/// parse_serial_hex's form of an INTEGER ("" when unreadable or not positive).
std::string serial_to_hex(const ASN1_INTEGER* serial);
/// The INTEGER of a parse_serial_hex string (null when it is not one).
ossl::Ptr<ASN1_STRING> serial_from_hex(const std::string& hex);
/// One revokedCertificates entry as a CrlEntry. Errc::malformed when its serial, reasonCode or
/// invalidityDate cannot be read.
Expected<CrlEntry> read_entry(const X509_REVOKED* entry);

}  // namespace onboard::x509::detail
