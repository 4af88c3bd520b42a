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

// Each field of RFC 3339 §5.6 at its bounds, each separator replaced, zones at their bounds.
TEST(Time, EveryFieldAndSeparatorAtItsBounds) {
  const UnixTime base = *parse_time("2031-05-01T00:00:00Z");
  EXPECT_EQ(*parse_time("2031-05-01T23:59:59Z"), base + 86399);
  EXPECT_EQ(*parse_time("2031-05-01T23:59:60Z"), base + 86399);  // leap second clamped
  EXPECT_EQ(*parse_time("2031-05-01T00:00:00+23:59"), base - 86340);
  EXPECT_EQ(*parse_time("2031-05-01T00:00:00-23:59"), base + 86340);
  EXPECT_EQ(*parse_time("2031-05-01t00:00:00z"), base);
  EXPECT_EQ(*parse_time("2031-05-01 00:00:00Z"), base);
  EXPECT_EQ(*parse_time("2031-05-01T00:00:00.123Z"), base);
  EXPECT_EQ(*parse_time("2031-01-31"), *parse_time("2031-01-31T00:00:00Z"));
  EXPECT_EQ(*parse_time("2031-12-01"), *parse_time("2031-11-30T00:00:00Z") + 86400);
  EXPECT_TRUE(parse_time("2032-02-29"));  // leap years: every 4th, not every 100th, every 400th
  EXPECT_TRUE(parse_time("2000-02-29"));
  for (const char* bad : {"2100-02-29", "2031-00-01", "2031-13-01", "2031-05-00", "2031-05-32", "2031-04-31", "2031-02-29",
                          "2031-05-01T24:00:00Z", "2031-05-01T00:60:00Z", "2031-05-01T00:00:61Z",
                          "2031-05-01T00:00:00+24:00", "2031-05-01T00:00:00+23:60", "2031-05-01T00:00:00-00:60",
                          "2031-05-01T12:34x56Z", "2031-05-01T12x34:56Z", "2031-05-01T12:ab:56Z", "2031-05-01T1a:34:56Z",
                          "2031-05-01T12:34:5aZ", "2031-05-01X12:34:56Z", "2031-05-01T12:34:56", "2031-05-01T12:34:56.Z",
                          "2031-05-01T12:34:56+0100", "2031-05-01T12:34:56+01-00", "2031-05-01T12:34:56+1a:00",
                          "2031-05-01T12:34:56+01:a0", "2031-05-01T12:34:56Zjunk", "2031-05-01T12:34:56Q",
                          "2031-05-01T12:34", "2031/05/01", "2031-05/01", "31-05-01", "2031-5-01"}) {
    auto r = parse_time(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::usage) << bad;
    }
  }
}

// The civil-from-days arithmetic at the 100- and 400-year corrections of the Gregorian calendar.
TEST(Time, FormatsCenturyAndEraBoundaries) {
  for (const char* s : {"1900-02-28T00:00:00Z", "1900-03-01T00:00:00Z", "2000-02-29T00:00:00Z", "2000-03-01T00:00:00Z",
                        "2100-02-28T23:59:59Z", "2100-03-01T00:00:00Z", "2200-02-28T00:00:00Z", "2200-03-01T00:00:00Z",
                        "2300-03-01T00:00:00Z", "2400-02-29T00:00:00Z", "2400-03-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    auto t = parse_time(s);
    ASSERT_TRUE(t) << s;
    EXPECT_EQ(format_time(*t), s);
  }
}
