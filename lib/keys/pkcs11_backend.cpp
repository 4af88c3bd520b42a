// PKCS#11 keys (SPEC §4): placeholder until the HSM issue lands.
#include "backend.h"

namespace onboard::keys {
namespace {
class Pkcs11Backend : public KeyContext::Backend {
 public:
  Expected<std::unique_ptr<Signer>> open(const KeyUri& uri) override {
    return fail(Errc::key, uri.text + ": PKCS#11 keys are not supported by this build yet");
  }
  Expected<std::unique_ptr<Signer>> generate(const KeyUri& uri, KeyType) override { return open(uri); }
};
}  // namespace
std::unique_ptr<KeyContext::Backend> make_pkcs11_backend(const KeyOptions&) { return std::make_unique<Pkcs11Backend>(); }
}  // namespace onboard::keys
