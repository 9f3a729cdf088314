#include "identity/adapters/sodium_crypto.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace microblog::identity {
namespace {

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

SodiumPasswordHasher::SodiumPasswordHasher(unsigned long long ops_limit, std::size_t mem_limit_bytes)
    : ops_limit_(ops_limit != 0 ? ops_limit : crypto_pwhash_OPSLIMIT_INTERACTIVE),
      mem_limit_(mem_limit_bytes != 0 ? mem_limit_bytes : crypto_pwhash_MEMLIMIT_INTERACTIVE) {
  ensure_sodium();
}

std::string SodiumPasswordHasher::hash(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit_, mem_limit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return out;
}

bool SodiumPasswordHasher::verify(std::string_view hash, std::string_view password) {
  std::string stored(hash);  // must be NUL-terminated
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

std::string new_access_token() {
  ensure_sodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string token_hash(std::string_view token) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

const std::string& dummy_password_hash(PasswordHasher& hasher) {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [&] { hash = hasher.hash(new_access_token()); });
  return hash;
}

}  // namespace microblog::identity
