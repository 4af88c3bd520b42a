#include <gtest/gtest.h>

#include "onboard/core/core.h"

using namespace onboard;

TEST(Time, ParsesRfc3339) {
  EXPECT_EQ(*parse_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_time("2031-05-01T00:00:00Z"), 1935360000);
  EXPECT_EQ(*parse_time("2031-05-01T02:00:00+02:00"), 1935360000);
  EXPECT_EQ(*parse_time("2031-05-01"), 1935360000);
  EXPECT_EQ(*parse_time("9999-12-31T23:59:59Z"), kNoExpiry);
  EXPECT_EQ(*parse_time("2031-05-01T00:00:00.250Z"), 1935360000);
}

TEST(Time, RejectsGarbage) {
  for (auto s : {"", "2031", "2031-13-01", "2031-02-30", "2031-05-01T00:00:00", "2031-05-01T25:00:00Z",
                 "yesterday", "2031-05-01T00:00:00Zjunk"})
    EXPECT_FALSE(parse_time(s)) << s;
}

TEST(Time, FormatsRoundTrip) {
  for (UnixTime t : {UnixTime{0}, UnixTime{1935360000}, kNoExpiry, UnixTime{951782400} /* 2000-02-29 */})
    EXPECT_EQ(*parse_time(format_time(t)), t);
  EXPECT_EQ(format_time(kNoExpiry), "9999-12-31T23:59:59Z");
}
