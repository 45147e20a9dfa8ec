#define BOOST_TEST_MODULE crypto
#include <boost/test/unit_test.hpp>

#include "common/crypto.h"

using namespace aegir;

struct Init {
  Init() { BOOST_REQUIRE(crypto::Init().ok()); }
};
BOOST_TEST_GLOBAL_FIXTURE(Init);

BOOST_AUTO_TEST_CASE(sha256_known_vector) {
  BOOST_TEST(crypto::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(random_tokens_are_hex_and_differ) {
  std::string a = crypto::RandomHex(32), b = crypto::RandomHex(32);
  BOOST_TEST(a.size() == 64u);
  BOOST_TEST(a != b);
  BOOST_TEST(a.find_first_not_of("0123456789abcdef") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(password_hash_is_argon2id_and_verifies) {
  auto h = crypto::HashPassword("correct horse");
  BOOST_REQUIRE(h.ok());
  BOOST_TEST(h->rfind("$argon2id$", 0) == 0u);
  BOOST_TEST(crypto::VerifyPassword(*h, "correct horse"));
  BOOST_TEST(!crypto::VerifyPassword(*h, "correct horse "));
  BOOST_TEST(!crypto::VerifyPassword("", "x"));
  BOOST_TEST(!crypto::VerifyPassword("garbage", "x"));
  BOOST_TEST(*h != *crypto::HashPassword("correct horse"));  // salted
}

BOOST_AUTO_TEST_CASE(constant_time_equals) {
  BOOST_TEST(crypto::ConstantTimeEquals("abc", "abc"));
  BOOST_TEST(!crypto::ConstantTimeEquals("abc", "abd"));
  BOOST_TEST(!crypto::ConstantTimeEquals("abc", "ab"));
  BOOST_TEST(!crypto::ConstantTimeEquals("", "x"));
}

BOOST_AUTO_TEST_CASE(generated_passwords) {
  std::string p = crypto::GeneratePassword(20);
  BOOST_TEST(p.size() == 20u);
  BOOST_TEST(p != crypto::GeneratePassword(20));
}
