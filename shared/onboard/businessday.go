package onboard

import (
	_ "embed"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/us"
)

// Eastern is the time zone whose calendar date starts the review clock (America/New_York).
var Eastern = mustLoad("America/New_York", easternTZif)

// easternTZif is America/New_York from Go's own lib/time/zoneinfo.zip (1.7 KB). The Lambda base
// image carries no time zone database, and time/tzdata would add 450 KB to every binary for this
// one zone. businessday_test.go checks it against time/tzdata.
//
//go:embed zoneinfo/America_New_York
var easternTZif []byte

func mustLoad(name string, tzif []byte) *time.Location {
	loc, err := time.LoadLocationFromTZData(name, tzif)
	if err != nil {
		panic("onboard: time zone " + name + ": " + err.Error())
	}
	return loc
}

// ReviewBusinessDays is how many US business days the review team has to reply.
const ReviewBusinessDays = 2

var federal = func() *cal.BusinessCalendar {
	c := cal.NewBusinessCalendar()
	c.AddHoliday(us.Holidays...)
	return c
}()

// IsBusinessDay reports whether the calendar date of d (in its own location) is a US federal
// business day: a weekday that is not a federal holiday on its observed date.
func IsBusinessDay(d time.Time) bool {
	day := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC)
	if !federal.IsWorkday(day) {
		return false
	}
	// A New Year's Day on a Saturday is observed on Friday 31 December, which the library
	// attributes to the following year's holiday and so does not see from December.
	if day.Month() == time.December && day.Day() == 31 && day.Weekday() == time.Friday {
		return false
	}
	return true
}

// ResponseDueBy is the date the review team must reply by: n US business days after the
// submission's calendar date in US Eastern time. There is no time-of-day cut-off.
func ResponseDueBy(submitted time.Time, n int) Date {
	d := submitted.In(Eastern)
	day := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, time.UTC)
	for added := 0; added < n; {
		day = day.AddDate(0, 0, 1)
		if IsBusinessDay(day) {
			added++
		}
	}
	return DateOf(day)
}

// Date is a calendar date, written YYYY-MM-DD.
type Date string

// DateOf returns t's calendar date in t's location.
func DateOf(t time.Time) Date { return Date(t.Format(time.DateOnly)) }

// Today returns now's calendar date in US Eastern time, the review team's clock.
func Today(now time.Time) Date { return DateOf(now.In(Eastern)) }

// Long spells the date out for people, e.g. "Friday, December 4, 2026".
func (d Date) Long() string {
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return string(d)
	}
	return t.Format("Monday, January 2, 2006")
}
