// When a schedule is due (NextRun, FirstRun), how it reads (Describe), and
// what its form accepts (Check): fcgi-app/schedules_model.h.
#define BOOST_TEST_MODULE schedules_model
#include <boost/test/unit_test.hpp>

#include "fcgi-app/schedules_model.h"

using namespace aegir::web::schedules;

namespace {

constexpr int64_t kMonday = 1704067200;  // 2024-01-01 00:00:00 UTC, a Monday
constexpr int64_t kHour = 3600, kDay = 86400;

Rule Every(const std::string& unit, int64_t n) { return Rule{unit, n, 0, 0}; }

}  // namespace

BOOST_AUTO_TEST_CASE(format_is_utc) {
  BOOST_TEST(FormatUtc(kMonday) == "2024-01-01 00:00:00");
  BOOST_TEST(FormatUtc(kMonday + 13 * kHour + 5 * 60 + 9) == "2024-01-01 13:05:09");
}

BOOST_AUTO_TEST_CASE(an_interval_keeps_its_phase_and_fires_once_after_a_long_outage) {
  Rule r = Every("hours", 6);
  const int64_t due = kMonday + 3 * kHour;
  // Fired on time: six hours on.
  BOOST_TEST(NextRun(r, due, due) == due + 6 * kHour);
  BOOST_TEST(NextRun(r, due, due + 10) == due + 6 * kHour);
  // Down for 20 hours (three periods and more): the next is the first
  // occurrence after now, not three runs to make up.
  BOOST_TEST(NextRun(r, due, due + 20 * kHour) == due + 24 * kHour);
  // Exactly on a later occurrence: the one after it.
  BOOST_TEST(NextRun(r, due, due + 12 * kHour) == due + 18 * kHour);
  BOOST_TEST(NextRun(Every("minutes", 1), due, due + 59) == due + 60);
  BOOST_TEST(FirstRun(Every("minutes", 5), kMonday) == kMonday + 300);
  BOOST_TEST(FirstRun(Every("hours", 2), kMonday) == kMonday + 2 * kHour);
}

BOOST_AUTO_TEST_CASE(daily_is_the_next_such_time_of_day) {
  Rule r{"daily", 1, 3 * 60 + 30, 0};  // 03:30
  BOOST_TEST(NextRun(r, kMonday, kMonday) == kMonday + 3 * kHour + 1800);
  BOOST_TEST(NextRun(r, kMonday, kMonday + 3 * kHour + 1800) == kMonday + kDay + 3 * kHour + 1800);
  BOOST_TEST(NextRun(r, kMonday, kMonday + 5 * kDay + 23 * kHour) == kMonday + 6 * kDay + 3 * kHour + 1800);
  BOOST_TEST(FirstRun(r, kMonday + 4 * kHour) == kMonday + kDay + 3 * kHour + 1800);
}

BOOST_AUTO_TEST_CASE(weekly_is_the_next_such_day_and_time) {
  Rule wednesday{"weekly", 1, 60, 2};  // Wednesday 01:00
  BOOST_TEST(NextRun(wednesday, kMonday, kMonday) == kMonday + 2 * kDay + kHour);
  // On Wednesday after 01:00: next week.
  BOOST_TEST(NextRun(wednesday, kMonday, kMonday + 2 * kDay + 2 * kHour) == kMonday + 9 * kDay + kHour);
  Rule monday{"weekly", 1, 0, 0};  // Monday 00:00, exactly now: next week
  BOOST_TEST(NextRun(monday, kMonday, kMonday) == kMonday + 7 * kDay);
  Rule sunday{"weekly", 1, 23 * 60 + 59, 6};
  BOOST_TEST(FormatUtc(NextRun(sunday, kMonday, kMonday)) == "2024-01-07 23:59:00");
}

BOOST_AUTO_TEST_CASE(describe_reads_as_the_form_said) {
  BOOST_TEST(Describe(Every("hours", 6)) == "every 6 hours");
  BOOST_TEST(Describe(Every("minutes", 1)) == "every minute");
  BOOST_TEST(Describe(Rule{"daily", 1, 3 * 60 + 5, 0}) == "daily at 03:05 UTC");
  BOOST_TEST(Describe(Rule{"weekly", 1, 0, 4}) == "weekly on Friday at 00:00 UTC");
}

BOOST_AUTO_TEST_CASE(check_accepts_good_forms) {
  Checked c = Check({kBackup, "hours", "12", "", "", "3"});
  BOOST_TEST(c.ok());
  BOOST_TEST(c.schedule.rule.every_n == 12);
  BOOST_TEST(c.schedule.keep_backups == 3);
  c = Check({kCron, "weekly", "", "23:45", "6", ""});
  BOOST_TEST(c.ok());
  BOOST_TEST(c.schedule.rule.at_minute == 23 * 60 + 45);
  BOOST_TEST(c.schedule.rule.weekday == 6);
  BOOST_TEST(c.schedule.keep_backups == 0);
  BOOST_TEST(Check({kBackup, "daily", "", "00:00", "", ""}).ok());  // keeps all
}

BOOST_AUTO_TEST_CASE(check_names_each_bad_field) {
  BOOST_TEST(Check({"site-delete", "daily", "", "03:00", "", ""}).errors.count("operation") == 1);
  BOOST_TEST(Check({kBackup, "hours", "0", "", "", ""}).errors.count("every_n") == 1);
  BOOST_TEST(Check({kBackup, "minutes", "1441", "", "", ""}).errors.count("every_n") == 1);
  BOOST_TEST(Check({kBackup, "minutes", "-5", "", "", ""}).errors.count("every_n") == 1);
  BOOST_TEST(Check({kBackup, "hours", "", "", "", ""}).errors.count("every_n") == 1);
  BOOST_TEST(Check({kBackup, "yearly", "1", "", "", ""}).errors.count("frequency") == 1);
  BOOST_TEST(Check({kBackup, "daily", "", "24:00", "", ""}).errors.count("at_time") == 1);
  BOOST_TEST(Check({kBackup, "daily", "", "3:00", "", ""}).errors.count("at_time") == 1);
  BOOST_TEST(Check({kBackup, "weekly", "", "03:00", "7", ""}).errors.count("weekday") == 1);
  BOOST_TEST(Check({kBackup, "daily", "", "03:00", "", "-1"}).errors.count("keep_backups") == 1);
  BOOST_TEST(Check({kBackup, "daily", "", "03:00", "", "1001"}).errors.count("keep_backups") == 1);
  BOOST_TEST(Check({kCron, "daily", "", "03:00", "", "3"}).errors.count("keep_backups") == 1);
  auto e = Check({kBackup, "hours", "0", "", "", "-1"}).errors;
  BOOST_TEST(e.size() == 2);
  BOOST_TEST(e["every_n"] == "Every: give a whole number of hours from 1 to 744.");
}
