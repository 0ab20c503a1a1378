package jmespath

import (
	"strconv"
	"time"
)

func rfc3339(v any) (time.Time, error) { return time.Parse(time.RFC3339, v.(string)) }

func jpTimeSince(e *Env, a []any) (any, error) {
	layout, start, end := a[0].(string), a[1].(string), a[2].(string)
	if layout == "" {
		layout = time.RFC3339
	}
	t1, err := time.Parse(layout, start)
	if err != nil {
		return nil, err
	}
	t2 := e.cfg.now()
	if end != "" {
		if t2, err = time.Parse(layout, end); err != nil {
			return nil, err
		}
	}
	return t2.Sub(t1).String(), nil
}

func jpTimeNow(e *Env, _ []any) (any, error) {
	return e.cfg.now().Format(time.RFC3339), nil
}

func jpTimeNowUTC(e *Env, _ []any) (any, error) {
	return e.cfg.now().UTC().Format(time.RFC3339), nil
}

func jpTimeAdd(_ *Env, a []any) (any, error) {
	t, d, err := timeAndDuration(a)
	if err != nil {
		return nil, err
	}
	return t.Add(d).Format(time.RFC3339), nil
}

// timeAndDuration reads the (RFC 3339 time, duration) arguments of
// time_add and time_truncate.
func timeAndDuration(a []any) (time.Time, time.Duration, error) {
	t, err := rfc3339(a[0])
	if err != nil {
		return time.Time{}, 0, err
	}
	d, err := time.ParseDuration(a[1].(string))
	return t, d, err
}

// jpTimeParse converts a time in a Go layout to RFC 3339. A layout that is an
// integer selects Unix seconds; the result is then in UTC.
func jpTimeParse(_ *Env, a []any) (any, error) {
	layout, value := a[0].(string), a[1].(string)
	if _, err := strconv.ParseInt(layout, 10, 64); err == nil {
		secs, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return nil, err
		}
		return time.Unix(secs, 0).UTC().Format(time.RFC3339), nil
	}
	t, err := time.Parse(layout, value)
	if err != nil {
		return nil, err
	}
	return t.Format(time.RFC3339), nil
}

func jpTimeUTC(_ *Env, a []any) (any, error) {
	t, err := rfc3339(a[0])
	if err != nil {
		return nil, err
	}
	return t.UTC().Format(time.RFC3339), nil
}

// twoTimes parses the first two arguments as RFC 3339 times.
func twoTimes(a []any) (time.Time, time.Time, error) {
	t1, err := rfc3339(a[0])
	if err != nil {
		return t1, t1, err
	}
	t2, err := rfc3339(a[1])
	return t1, t2, err
}

func jpTimeDiff(_ *Env, a []any) (any, error) {
	t1, t2, err := twoTimes(a)
	if err != nil {
		return nil, err
	}
	return t2.Sub(t1).String(), nil
}

func jpTimeBefore(_ *Env, a []any) (any, error) {
	t1, t2, err := twoTimes(a)
	if err != nil {
		return nil, err
	}
	return t1.Before(t2), nil
}

func jpTimeAfter(_ *Env, a []any) (any, error) {
	t1, t2, err := twoTimes(a)
	if err != nil {
		return nil, err
	}
	return t1.After(t2), nil
}

func jpTimeBetween(_ *Env, a []any) (any, error) {
	t, start, err := twoTimes(a)
	if err != nil {
		return nil, err
	}
	end, err := rfc3339(a[2])
	if err != nil {
		return nil, err
	}
	return t.After(start) && t.Before(end), nil
}

func jpTimeTruncate(_ *Env, a []any) (any, error) {
	t, d, err := timeAndDuration(a)
	if err != nil {
		return nil, err
	}
	return t.Truncate(d).Format(time.RFC3339), nil
}

// jpTimeToCron renders "minute hour day-of-month month day-of-week" in the
// time's own offset.
func jpTimeToCron(_ *Env, a []any) (any, error) {
	t, err := rfc3339(a[0])
	if err != nil {
		return nil, err
	}
	return strconv.Itoa(t.Minute()) + " " + strconv.Itoa(t.Hour()) + " " + strconv.Itoa(t.Day()) + " " +
		strconv.Itoa(int(t.Month())) + " " + strconv.Itoa(int(t.Weekday())), nil
}
