package onboard

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func TestResponseDueBy(t *testing.T) {
	tests := []struct {
		name      string
		submitted string // RFC 3339
		want      Date
	}{
		{"WeekdayMorning", "2026-12-01T14:00:00Z", "2026-12-03"},
		{"FridaySkipsWeekend", "2026-12-04T15:00:00Z", "2026-12-08"},
		{"SaturdayCountsFromMonday", "2026-12-05T15:00:00Z", "2026-12-08"},
		{"Thanksgiving", "2026-11-24T15:00:00Z", "2026-11-27"},
		{"IndependenceDayObservedFriday", "2026-07-01T15:00:00Z", "2026-07-06"},
		{"ChristmasOnSaturdayObservedFriday", "2027-12-22T15:00:00Z", "2027-12-27"},
		{"NewYearOnSaturdayObservedFridayBefore", "2027-12-29T15:00:00Z", "2028-01-03"},
		{"JuneteenthAndWeekend", "2026-06-18T15:00:00Z", "2026-06-23"},
		{"EasternMidnightBoundaryStillMonday", "2026-12-08T04:59:00Z", "2026-12-09"},
		{"EasternMidnightBoundaryTuesday", "2026-12-08T05:00:00Z", "2026-12-10"},
		{"SummerTimeBoundary", "2026-07-14T03:59:00Z", "2026-07-15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, tt.submitted)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ResponseDueBy(at, ReviewBusinessDays), tt.want; got != want {
				t.Errorf("ResponseDueBy(%s) = %s, want %s", tt.submitted, got, want)
			}
		})
	}
}

func TestIsBusinessDay(t *testing.T) {
	for day, want := range map[string]bool{
		"2026-12-25": false, // Christmas, Friday
		"2026-12-24": true,
		"2027-12-24": false, // Christmas 2027 is Saturday, observed Friday 24
		"2027-12-31": false, // New Year 2028 is Saturday, observed Friday 31
		"2026-01-19": false, // Martin Luther King Jr. Day
		"2026-10-12": false, // Columbus Day
		"2026-11-11": false, // Veterans Day
		"2026-11-27": true,  // day after Thanksgiving is not a federal holiday
		"2026-12-05": false, // Saturday
	} {
		d, _ := time.Parse(time.DateOnly, day)
		if got := IsBusinessDay(d); got != want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", day, got, want)
		}
	}
}

// The embedded zone gives the same offset and abbreviation as Go's full time zone database at
// every hour from 1970 to 2100 (the later years come from the zone's rule for the future).
func TestEmbeddedEasternMatchesTimeZoneDatabase(t *testing.T) {
	tzdb, err := time.LoadLocation("America/New_York") // from time/tzdata, imported by this test only
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	for at := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); at.Before(end); at = at.Add(time.Hour) {
		gotName, gotOffset := at.In(Eastern).Zone()
		wantName, wantOffset := at.In(tzdb).Zone()
		if gotName != wantName || gotOffset != wantOffset {
			t.Fatalf("%s: embedded zone says %s %d, the database %s %d", at, gotName, gotOffset, wantName, wantOffset)
		}
	}
}
