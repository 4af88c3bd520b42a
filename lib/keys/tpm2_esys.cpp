#include "tpm2_esys.h"

#include <tss2/tss2_rc.h>

#include <cstdio>

#include "tpm2_keygen.h"

namespace onboard::keys::tpm2 {

Expected<Connection> connect(const std::string& conf) {
  quiet_tss_logging();
  Connection c;
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  TSS2_RC rc = Tss2_TctiLdr_Initialize(conf.empty() ? nullptr : conf.c_str(), &tcti);
  if (rc != TSS2_RC_SUCCESS)
    return fail(Errc::key, "TPM not reachable through " + tcti_label(conf) + " (" + Tss2_RC_Decode(rc) + ")");
  c.tcti.reset(tcti);
  ESYS_CONTEXT* esys = nullptr;
  rc = Esys_Initialize(&esys, tcti, nullptr);
  if (rc != TSS2_RC_SUCCESS)
    return fail(Errc::key, "TPM not reachable through " + tcti_label(conf) + " (" + Tss2_RC_Decode(rc) + ")");
  c.esys.reset(esys);
  return c;
}

Transient& Transient::operator=(Transient&& o) noexcept {
  if (this != &o) {
    flush();
    esys = o.esys;
    handle = o.handle;
    o.handle = ESYS_TR_NONE;
  }
  return *this;
}

void Transient::flush() {
  if (handle != ESYS_TR_NONE && esys) Esys_FlushContext(esys, handle);
  handle = ESYS_TR_NONE;
}

Status check(TSS2_RC rc, const std::string& step) {
  if (rc == TSS2_RC_SUCCESS) return {};
  return fail(Errc::key, step + " failed (" + std::string(Tss2_RC_Decode(rc)) + ")");
}

Expected<bool> in_use(ESYS_CONTEXT* esys, std::uint32_t handle) {
  ESYS_TR tr = ESYS_TR_NONE;
  TSS2_RC rc = Esys_TR_FromTPMPublic(esys, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr);
  if (rc == TSS2_RC_SUCCESS) {
    Esys_TR_Close(esys, &tr);
    return true;
  }
  if ((rc & TSS2_RC_LAYER_MASK) == TSS2_TPM_RC_LAYER || (rc & 0xFFF) == TPM2_RC_HANDLE) return false;
  if (auto ok = check(rc, "reading TPM handle " + hex_handle(handle)); !ok) return fail(std::move(ok.error()));
  return false;
}

Status check_handle_free(ESYS_CONTEXT* esys, std::uint32_t handle) {
  auto used = in_use(esys, handle);
  if (!used) return fail(std::move(used.error()));
  if (*used)
    return fail(Errc::key, "TPM persistent handle " + hex_handle(handle) +
                               " already holds a key (refusing to replace it; evict it first)");
  return {};
}

}  // namespace onboard::keys::tpm2
