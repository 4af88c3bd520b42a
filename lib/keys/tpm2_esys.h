// Private: what the ESYS-based TPM code of the keys component shares (tpm2_keygen.cpp,
// tpm2_attest.cpp): the connection, transient-object owners, error conversion, handle checks.
#pragma once

#include <cstdint>
#include <string>

#include <tss2/tss2_esys.h>

#include "onboard/core/core.h"
#include "onboard/keys/keys.h"  // tpm2::hex_handle
#include "ossl.h"

namespace onboard::keys::tpm2 {

/// One ESYS connection; the TCTI is finalized after the ESYS context.
struct Connection {
  ossl::Ptr<TSS2_TCTI_CONTEXT> tcti;
  ossl::Ptr<ESYS_CONTEXT> esys;
};
/// Connect through `conf` ("" = the TSS default search). Errc::key "TPM not reachable through ...".
Expected<Connection> connect(const std::string& conf);

/// A transient object or session, flushed when done: swtpm has 3 object slots and no resource
/// manager, so nothing may stay loaded.
struct Transient {
  ESYS_CONTEXT* esys = nullptr;
  ESYS_TR handle = ESYS_TR_NONE;
  Transient() = default;
  explicit Transient(ESYS_CONTEXT* e) : esys(e) {}
  Transient(Transient&& o) noexcept : esys(o.esys), handle(o.handle) { o.handle = ESYS_TR_NONE; }
  Transient& operator=(Transient&& o) noexcept;
  Transient(const Transient&) = delete;
  Transient& operator=(const Transient&) = delete;
  ~Transient() { flush(); }
  void flush();
};

/// TSS2_RC → Errc::key "STEP failed (tpm:...)" (Tss2_RC_Decode), or success.
Status check(TSS2_RC rc, const std::string& step);

/// Whether a persistent handle holds an object (ReadPublic answers); a TPM-layer error = free.
Expected<bool> in_use(ESYS_CONTEXT* esys, std::uint32_t handle);
/// Errc::key naming the handle when it already holds a key.
Status check_handle_free(ESYS_CONTEXT* esys, std::uint32_t handle);

}  // namespace onboard::keys::tpm2
