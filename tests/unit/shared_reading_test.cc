// SharedReadings: a reading is shared until its write generation ends or it
// is too old; a write that ends while it is read makes it stale; failed
// readings are not kept; at most `capacity` are kept.
#define BOOST_TEST_MODULE shared_reading
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "fcgi-app/shared_reading.h"

using aegir::Result;
using aegir::Status;
using aegir::web::SharedReadings;
using aegir::web::WriteGeneration;
using namespace std::chrono_literals;

namespace {

// A reader that counts its reads and answers "<key>#<n>".
struct Reader {
  int reads = 0;
  Result<std::string> operator()(const std::string& key) { return key + "#" + std::to_string(++reads); }
};

std::string Get(SharedReadings<std::string>& shared, const std::string& key, Reader& reader) {
  auto r = shared.Get(key, [&] { return reader(key); });
  BOOST_REQUIRE(r.ok());
  return **r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_reading_is_shared_until_a_write_ends) {
  SharedReadings<std::string> shared(1h, 8);
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  BOOST_TEST(reader.reads == 1);
  WriteGeneration::End();
  BOOST_TEST(Get(shared, "a", reader) == "a#2");
  BOOST_TEST(Get(shared, "a", reader) == "a#2");
  BOOST_TEST(reader.reads == 2);
}

BOOST_AUTO_TEST_CASE(keys_are_read_apart) {
  SharedReadings<std::string> shared(1h, 8);
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  BOOST_TEST(Get(shared, "b", reader) == "b#2");
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  BOOST_TEST(shared.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_write_that_ends_during_the_reading_makes_it_stale) {
  SharedReadings<std::string> shared(1h, 8);
  int reads = 0;
  auto read_while_written = [&]() -> Result<std::string> {
    ++reads;
    WriteGeneration::End();  // another request's write ends meanwhile
    return std::string("before the write");
  };
  auto first = shared.Get("a", read_while_written);
  BOOST_REQUIRE(first.ok());
  BOOST_TEST(**first == "before the write");  // shown to the request that read it
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");  // but to no later one
  BOOST_TEST(reads == 1);
}

BOOST_AUTO_TEST_CASE(an_old_reading_is_read_again) {
  SharedReadings<std::string> shared(0s, 8);  // every reading is too old at once
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  BOOST_TEST(Get(shared, "a", reader) == "a#2");
  BOOST_TEST(shared.size() == 1u);  // the old one was replaced, not kept beside it
}

BOOST_AUTO_TEST_CASE(a_failed_reading_is_not_kept) {
  SharedReadings<std::string> shared(1h, 8);
  auto failed = shared.Get("a", []() -> Result<std::string> { return Status::Internal("the database is away"); });
  BOOST_TEST(!failed.ok());
  BOOST_TEST(failed.status().message() == "the database is away");
  BOOST_TEST(shared.size() == 0u);
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
}

BOOST_AUTO_TEST_CASE(at_most_capacity_readings_are_kept_and_the_oldest_goes) {
  SharedReadings<std::string> shared(1h, 2);
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  BOOST_TEST(Get(shared, "b", reader) == "b#2");
  BOOST_TEST(Get(shared, "c", reader) == "c#3");
  BOOST_TEST(shared.size() == 2u);
  BOOST_TEST(Get(shared, "b", reader) == "b#2");
  BOOST_TEST(Get(shared, "c", reader) == "c#3");
  BOOST_TEST(Get(shared, "a", reader) == "a#4");  // "a" was the oldest
  BOOST_TEST(shared.size() == 2u);
}
