// sign-rate KEY-URI [COUNT] [BYTES]: the raw signing rate of one key, for scripts/bench.
// Opens the key once (one module load / login / TPM context, as a batch does), then loops
// Signer::sign (EVP_DigestSign; for PKCS#11 keys through libp11, for TPM keys through the
// tpm2 provider) over a message the size of a certificate's TBS. Prints "N signatures in
// S s: R/s". PIN/TCTI as for the tools (PKCS11_PIN, TPM2OPENSSL_TCTI, URI pin-source).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "onboard/keys/keys.h"

using namespace onboard;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: sign-rate KEY-URI [COUNT] [BYTES]\n";
    return 2;
  }
  const int count = argc > 2 ? std::atoi(argv[2]) : 1000;
  const std::size_t bytes = argc > 3 ? static_cast<std::size_t>(std::atoi(argv[3])) : 450;
  Env env = real_env("sign-rate");
  keys::KeyOptions options;
  options.env = &env;
  auto uri = keys::parse_key_uri(argv[1]);
  if (!uri) {
    std::cerr << "sign-rate: error: " << uri.error().message << "\n";
    return static_cast<int>(uri.error().code);
  }
  keys::KeyContext kc(options);
  auto key = kc.open(*uri);
  if (!key) {
    std::cerr << "sign-rate: error: " << key.error().message << "\n";
    return static_cast<int>(key.error().code);
  }
  keys::SignParams params = keys::default_params((*key)->key_type());
  Bytes msg(bytes, 0x30);
  if (auto warm = (*key)->sign(msg, params); !warm) {
    std::cerr << "sign-rate: error: " << warm.error().message << "\n";
    return 4;
  }
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    msg[i % bytes] ^= 1;
    if (auto sig = (*key)->sign(msg, params); !sig) {
      std::cerr << "sign-rate: error: " << sig.error().message << "\n";
      return 4;
    }
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d signatures in %.3f s: %.0f/s\n", count, s, count / s);
  return 0;
}
