// onboard::core — errors, bytes, encodings, time, files: the ground every component stands on.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace onboard {

/// Error codes; their numeric values are the exit codes of SPEC §8.
enum class Errc : int {
  ok = 0,
  verify_failed = 1,
  usage = 2,
  malformed = 3,
  key = 4,
  file = 5,
  untrusted = 10,
  expired = 11,
  revoked = 12,
  mismatch = 13,
  internal = 70,
};

/// One error: a code (→ exit status) and a message; context() prepends "WHAT: ".
struct Error {
  Errc code = Errc::internal;
  std::string message;

  Error() = default;
  Error(Errc c, std::string m) : code(c), message(std::move(m)) {}
  /// Prefix the message with what was being done ("reading ca.pem").
  Error&& context(const std::string& what) && {
    message = what + ": " + message;
    return std::move(*this);
  }
};

template <class T>
using Expected = tl::expected<T, Error>;
using Status = Expected<void>;

/// `return fail(Errc::malformed, "...")` from any function returning Expected<T>.
inline tl::unexpected<Error> fail(Errc code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}
inline tl::unexpected<Error> fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string to_string(ByteView b) { return {b.begin(), b.end()}; }

// ---- encodings (RFC 4648) ----
std::string base64_encode(ByteView data);     ///< standard alphabet, padded
std::string base64url_encode(ByteView data);  ///< URL alphabet, no padding
/// Strict: rejects whitespace, wrong alphabet, bad padding, non-canonical trailing bits.
Expected<Bytes> base64_decode(std::string_view text);
/// Strict (SPEC §6): rejects padding, whitespace, `+` `/`, non-canonical trailing bits.
Expected<Bytes> base64url_decode(std::string_view text);
std::string hex_encode(ByteView data);

// ---- time (UTC seconds since the epoch; 64-bit, year 9999 fits) ----
using UnixTime = std::int64_t;
/// The latest representable X.509 time: 9999-12-31T23:59:59Z (IEEE 802.1AR "no expiry").
constexpr UnixTime kNoExpiry = 253402300799;
/// RFC 3339 (`2031-05-01T00:00:00Z`, offsets allowed) or a plain date (`2031-05-01`).
Expected<UnixTime> parse_time(std::string_view text);
/// `YYYY-MM-DDThh:mm:ssZ`.
std::string format_time(UnixTime t);

/// Where "now" comes from and where output goes (DESIGN rule 6).
struct Env {
  std::string tool;                      ///< program name for messages
  std::function<UnixTime()> now;         ///< the clock
  std::ostream* out = nullptr;           ///< results (stdout)
  std::ostream* err = nullptr;           ///< warnings, progress (stderr)
  bool err_is_tty = false;               ///< progress bars only on a terminal
  /// `TOOL: warning: MSG` on err.
  void warn(const std::string& msg) const;
};
/// Env bound to the real clock and stdio.
Env real_env(std::string tool);

// ---- files ----
// ---- limits on input (SECURITY.md lists every one; each has a test) ----
constexpr std::size_t kDefaultMaxInput = 16u << 20;  ///< 16 MiB for any single input file
constexpr std::size_t kMaxCertificatesPerFile = 1000;  ///< certificates in one PEM file (trust bundles)
/// Issuer chains given with --ca-chain/--chain: as x5c (SPEC §6), at most 8 certificates in all.
constexpr std::size_t kMaxChainLength = 8;
/// Read a whole file (`-` = stdin); Errc::file on failure, Errc::malformed above max_size.
Expected<std::string> read_file(const std::string& path, std::size_t max_size = kDefaultMaxInput);
/// read_file for key and secret files: one buffer, no uncleansed copies left behind on growth
/// or error. The caller cleanses the result (OPENSSL_cleanse / cleanse) when done with it.
Expected<std::string> read_sensitive_file(const std::string& path, std::size_t max_size);
/// Zero memory in a way the compiler cannot optimise away (for core, which has no OpenSSL).
void cleanse(void* p, std::size_t n);

struct WriteOptions {
  bool force = false;           ///< overwrite an existing file
  unsigned mode = 0644;         ///< permission bits of the new file
  bool durable = true;          ///< fsync before rename (batches sync once at the end instead)
};
/// Write so that no partial file is ever visible (SPEC §11): an unnamed O_TMPFILE inode linked
/// into place when complete (a killed process leaves nothing behind); where O_TMPFILE is not
/// available, a `.tmp-PID-...` file in the target directory renamed into place. `-` writes to
/// stdout. Errc::file when it exists without force.
/// SPEC §13.1: an existing character device or FIFO is written into, never replaced (with or
/// without force); a symlink is followed and its target replaced atomically; a directory (or a
/// block device, a socket) is Errc::file; force only ever replaces regular files.
Status write_file_atomic(const std::string& path, std::string_view data, const WriteOptions& opt = {});
/// Prefix of the named temporary files write_file_atomic may leave after a kill.
constexpr const char* kTempPrefix = ".tmp-";
/// Remove `.tmp-PID-*` files of processes that no longer run (batch re-runs call it on their
/// output directory). Returns how many were removed.
std::size_t clean_stale_temp_files(const std::string& dir);
/// Refuse early (before any key is touched) when `path` exists and !force, or its directory
/// is not writable.
Status check_writable(const std::string& path, bool force);
bool file_exists(const std::string& path);
/// mkdir -p: create `dir` and its missing parents with `mode` (0700 for key directories).
/// Errc::file when a component exists and is not a directory, or cannot be created.
Status make_directories(const std::string& dir, unsigned mode);
/// Flush every file system to disk: a batch's one durability point (instead of one fsync a file).
void sync_all();
/// Flush the file system holding `dir` (syncfs).
void sync_dir(const std::string& dir);

// ---- identifiers (SPEC §2) ----
/// Absolute URI, ≤ 255 chars, no whitespace/control characters. Errc::malformed otherwise.
Status validate_instance_uri(std::string_view uri, std::string_view what = "ProductInstanceUri");
/// Lint warnings per SPEC §2 (upper case in scheme/authority, urn:/tag: on labels, > 72 chars).
std::vector<std::string> lint_instance_uri(std::string_view uri, bool for_label);

}  // namespace onboard
