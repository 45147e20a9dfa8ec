// SharedReadings: a reading is shared until its write generation ends or it
// is too old; a write that ends while it is read makes it stale; failed
// readings are not kept; at most `capacity` are kept; while one request
// reads an old reading afresh the others are shown it, unless a write has
// ended since.
#define BOOST_TEST_MODULE shared_reading
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

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

namespace {

// A read that waits, in another thread, until the test lets it finish: the
// moment "a request is reading it afresh" held open.
struct HeldRead {
  std::promise<void> started, finish;
  std::future<Result<std::shared_ptr<const std::string>>> result;

  HeldRead(SharedReadings<std::string>& shared, const std::string& key, const std::string& value) {
    auto finish_future = finish.get_future().share();
    result = std::async(std::launch::async, [&shared, key, value, finish_future, this] {
      return shared.Get(key, [&]() -> Result<std::string> {
        started.set_value();
        finish_future.wait();
        return value;
      });
    });
    started.get_future().wait();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(while_one_request_reads_an_old_reading_afresh_the_others_are_shown_it) {
  SharedReadings<std::string> shared(300ms, 8);
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  std::this_thread::sleep_for(350ms);  // too old now
  HeldRead refresh(shared, "a", "a, read afresh");
  // Another request meanwhile: the old reading, not a read of its own.
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  BOOST_TEST(reader.reads == 1);
  refresh.finish.set_value();
  auto refreshed = refresh.result.get();
  BOOST_REQUIRE(refreshed.ok());
  BOOST_TEST(**refreshed == "a, read afresh");
  BOOST_TEST(Get(shared, "a", reader) == "a, read afresh");
  BOOST_TEST(reader.reads == 1);
}

BOOST_AUTO_TEST_CASE(after_a_write_no_one_is_shown_the_earlier_reading_while_another_reads) {
  SharedReadings<std::string> shared(300ms, 8);
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  std::this_thread::sleep_for(350ms);
  HeldRead refresh(shared, "a", "a, read afresh");
  WriteGeneration::End();
  // The reading being refreshed is of the generation before the write.
  BOOST_TEST(Get(shared, "a", reader) == "a#2");
  refresh.finish.set_value();
  BOOST_REQUIRE(refresh.result.get().ok());
  // The refresh began before the write: it is not kept over the later read.
  BOOST_TEST(Get(shared, "a", reader) == "a#2");
  BOOST_TEST(reader.reads == 2);
}

BOOST_AUTO_TEST_CASE(a_failed_or_thrown_refresh_lets_the_next_request_read) {
  SharedReadings<std::string> shared(0s, 8);  // every reading is too old at once
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  auto failed = shared.Get("a", []() -> Result<std::string> { return Status::Internal("the database is away"); });
  BOOST_TEST(!failed.ok());
  BOOST_TEST(Get(shared, "a", reader) == "a#2");  // read, not shown a#1 as if another were reading
  BOOST_CHECK_THROW(shared.Get("a", []() -> Result<std::string> { throw std::runtime_error("out of memory"); }),
                    std::runtime_error);
  BOOST_TEST(Get(shared, "a", reader) == "a#3");
}

BOOST_AUTO_TEST_CASE(the_last_reading_is_found_whatever_its_age_and_generation) {
  SharedReadings<std::string> shared(0s, 8);
  BOOST_TEST(shared.Last("a") == nullptr);
  Reader reader;
  BOOST_TEST(Get(shared, "a", reader) == "a#1");
  WriteGeneration::End();
  auto last = shared.Last("a");
  BOOST_REQUIRE(last != nullptr);
  BOOST_TEST(*last == "a#1");
  BOOST_TEST(Get(shared, "a", reader) == "a#2");  // Get reads again all the same
}
