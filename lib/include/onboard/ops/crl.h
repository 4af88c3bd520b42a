// onboard::ops — publish-crl (SPEC §13.6): flags land in this plain request.
#pragma once

#include <string>
#include <vector>

#include "onboard/core/core.h"
#include "onboard/ops/ops.h"

namespace onboard::ops {

/// nextUpdate when neither --days nor --next-update is given: 7 days, the longest interval the
/// CA/Browser Forum allows for CRLs of end-entity certificates; clamped to the CA's notAfter.
constexpr int kDefaultCrlDays = 7;

struct PublishCrlRequest {
  Common common;
  std::string ca_cert, ca_key;
  std::string previous;                     ///< --crl: the CA's last CRL (its entries are kept)
  std::vector<std::string> revoke;          ///< certificate files to revoke
  std::vector<std::string> revoke_serials;  ///< serial numbers (hex) to revoke
  std::string reason;                       ///< CRLReason name; empty = unspecified
  int days = 0;                             ///< 0 = not given
  std::string next_update;                  ///< RFC 3339
  bool der = false;                         ///< DER instead of PEM
  std::string out;
};
/// A CRL v2 of the CA: the previous CRL's entries (dates, reasons kept), the new ones revoked now
/// with the reason, cRLNumber = previous + 1 (1 without one), AKI, thisUpdate now. SPEC §13.2
/// preflight first; nothing is written unless every input passes.
Status publish_crl(const PublishCrlRequest& req, Env& env);

}  // namespace onboard::ops
