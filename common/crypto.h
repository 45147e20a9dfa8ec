// Random tokens, digests and password hashes, all from libsodium.
#pragma once

#include <string>

#include "common/status.h"

namespace aegir::crypto {

// Initialises libsodium; safe to call more than once. Fails only if the
// system has no usable random source.
Status Init();
// n random bytes as 2n lower-case hex digits.
std::string RandomHex(size_t n);
// SHA-256 of data as 64 lower-case hex digits.
std::string Sha256Hex(const std::string& data);
// Compares in time independent of where the strings differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);
// argon2id hash in the PHC string format ("$argon2id$v=19$m=...").
Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);
// A password of n characters from an alphabet without look-alikes.
std::string GeneratePassword(size_t n);

}  // namespace aegir::crypto
