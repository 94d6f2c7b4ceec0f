//! [`Schedule`]: when a job runs, in Amazon EventBridge's schedule expression syntax
//! (`rate(5 minutes)`, `cron(0 9 ? * MON-FRI *)`), so that the same string serves the local
//! server and the deploy template.
//!
//! The parser is our own: the cron crates on crates.io speak Unix or Quartz cron, whose
//! day-of-week numbering (0 or 1 = Sunday, 7 fields with seconds) and `?` rules differ from
//! EventBridge's six fields, where 1 is Sunday and exactly one day field is `?`.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::calendar::{civil_from_days, days_from_civil, days_in_month};

/// When a job runs: an EventBridge `rate(…)` or `cron(…)` expression, or (for the local
/// server and tests) any fixed interval.
///
/// Cron expressions are in UTC, as on EventBridge. Supported: lists, ranges, steps, names
/// (`JAN`, `MON`), `?`, `L` in day-of-month, `L`, `nL` (last weekday *n* of the month) and `n#k`
/// (the *k*-th weekday *n*) in day-of-week. `W` is refused with a clear error.
///
/// ```
/// use chatbridge_core::jobs::Schedule;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let every_five: Schedule = "rate(5 minutes)".parse().unwrap();
/// assert_eq!(every_five.interval(), Some(Duration::from_secs(300)));
///
/// // 09:00 UTC on weekdays. 2024-01-06 was a Saturday: the next run is Monday the 8th.
/// let weekdays: Schedule = "cron(0 9 ? * MON-FRI *)".parse().unwrap();
/// let saturday = UNIX_EPOCH + Duration::from_secs(1_704_535_200); // 2024-01-06T10:00:00Z
/// let next = weekdays.next_after(saturday).unwrap();
/// assert_eq!(next, UNIX_EPOCH + Duration::from_secs(1_704_704_400)); // 2024-01-08T09:00:00Z
///
/// assert!("cron(0 9 * * MON *)".parse::<Schedule>().is_err()); // one day field must be `?`
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Schedule {
    kind: Kind,
    text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Every(Duration),
    Cron(Box<Cron>),
}

/// A schedule expression that EventBridge would refuse (or that uses a part not supported here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid schedule expression `{expression}`: {reason}")]
pub struct ScheduleError {
    expression: String,
    reason: String,
}

impl Schedule {
    /// Parses `rate(value unit)` or `cron(minutes hours day-of-month month day-of-week year)`.
    ///
    /// # Errors
    ///
    /// The expression is malformed, out of range, or uses `W`.
    pub fn parse(expression: &str) -> Result<Self, ScheduleError> {
        let text = expression.trim();
        let fail =
            |reason: &str| ScheduleError { expression: text.to_owned(), reason: reason.into() };
        let kind = if let Some(body) = strip(text, "rate(") {
            Kind::Every(parse_rate(body).map_err(|r| fail(&r))?)
        } else if let Some(body) = strip(text, "cron(") {
            Kind::Cron(Box::new(Cron::parse(body).map_err(|r| fail(&r))?))
        } else {
            return Err(fail("expected rate(…) or cron(…)"));
        };
        Ok(Self { kind, text: text.to_owned() })
    }

    /// A fixed interval of any length, also under a minute: for the local server and tests.
    /// EventBridge cannot express it, so a job with such a schedule only runs on Lambda when an
    /// event names it.
    #[must_use]
    pub fn every(interval: Duration) -> Self {
        let interval = interval.max(Duration::from_millis(1));
        Self { kind: Kind::Every(interval), text: format!("every({interval:?})") }
    }

    /// The fixed interval of a `rate(…)` or [`every`](Self::every) schedule.
    #[must_use]
    pub fn interval(&self) -> Option<Duration> {
        match &self.kind {
            Kind::Every(interval) => Some(*interval),
            Kind::Cron(_) => None,
        }
    }

    /// The first time strictly after `after` at which the schedule fires: `after` plus the
    /// interval for rates, the next matching minute (UTC) for cron expressions. `None` when a
    /// cron expression never fires again (its years are past, or it names 30 February).
    #[must_use]
    pub fn next_after(&self, after: SystemTime) -> Option<SystemTime> {
        match &self.kind {
            Kind::Every(interval) => after.checked_add(*interval),
            Kind::Cron(cron) => cron.next_after(after),
        }
    }

    /// The expression as written (`every(…)` for [`every`](Self::every)).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Schedule").field(&self.text).finish()
    }
}

fn strip<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    text[prefix.len()..].strip_suffix(')').map(str::trim)
}

fn parse_rate(body: &str) -> Result<Duration, String> {
    let mut parts = body.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("a rate is `rate(value unit)`".into());
    };
    let value: u64 = value.parse().map_err(|_| "the rate's value is not a whole number")?;
    if value == 0 {
        return Err("the rate's value must be positive".into());
    }
    let (seconds, singular) = match unit.to_ascii_lowercase().as_str() {
        "minute" => (60, true),
        "minutes" => (60, false),
        "hour" => (3600, true),
        "hours" => (3600, false),
        "day" => (86_400, true),
        "days" => (86_400, false),
        _ => return Err("the rate's unit is minute(s), hour(s) or day(s)".into()),
    };
    // EventBridge insists: `rate(1 minute)`, `rate(5 minutes)`.
    if singular != (value == 1) {
        return Err("use the singular unit for 1 and the plural otherwise".into());
    }
    Ok(Duration::from_secs(value.saturating_mul(seconds)))
}

/// A parsed `cron(…)`: each field a bit set of allowed values.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Cron {
    minutes: u64,
    hours: u64,
    month_days: u64,
    last_month_day: bool,
    months: u64,
    week_days: u64,
    /// `nL`: the last weekday `n` of the month.
    last_week_days: u64,
    /// `n#k`: the `k`-th weekday `n` of the month.
    nth_week_days: Vec<(u32, u32)>,
    /// `None` for `*`.
    years: Option<Vec<bool>>,
    /// Which day field is `?` (the other one decides).
    by_week_day: bool,
}

const FIRST_YEAR: i64 = 1970;
const LAST_YEAR: i64 = 2199;
const MONTHS: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Cron {
    fn parse(body: &str) -> Result<Self, String> {
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields[..] else {
            return Err("a cron expression has six fields: minutes hours day-of-month month \
                        day-of-week year"
                .into());
        };
        let by_week_day = match (dom == "?", dow == "?") {
            (true, false) => true,
            (false, true) => false,
            _ => return Err("exactly one of day-of-month and day-of-week must be `?`".into()),
        };
        let mut cron = Self {
            minutes: field(minutes, 0, 59, &[], "minutes")?,
            hours: field(hours, 0, 23, &[], "hours")?,
            month_days: 0,
            last_month_day: false,
            months: field(month, 1, 12, &MONTHS, "month")?,
            week_days: 0,
            last_week_days: 0,
            nth_week_days: Vec::new(),
            years: None,
            by_week_day,
        };
        if by_week_day {
            cron.parse_week_days(dow)?;
        } else {
            for item in dom.split(',') {
                if item.contains('W') {
                    return Err("`W` (nearest weekday) is not supported".into());
                }
                if item == "L" {
                    cron.last_month_day = true;
                } else {
                    cron.month_days |= field(item, 1, 31, &[], "day-of-month")?;
                }
            }
        }
        if year != "*" {
            let bits = field128(year, FIRST_YEAR, LAST_YEAR)?;
            cron.years = Some(bits);
        }
        Ok(cron)
    }

    fn parse_week_days(&mut self, dow: &str) -> Result<(), String> {
        for item in dow.split(',') {
            if item == "L" {
                // The last day of the week: every Saturday.
                self.week_days |= 1 << 7;
            } else if let Some(day) = item.strip_suffix('L') {
                let day = value(day, 1, 7, &DAYS, "day-of-week")?;
                self.last_week_days |= 1 << day;
            } else if let Some((day, nth)) = item.split_once('#') {
                let day = value(day, 1, 7, &DAYS, "day-of-week")?;
                let nth = value(nth, 1, 5, &[], "day-of-week `#`")?;
                self.nth_week_days.push((day, nth));
            } else {
                self.week_days |= field(item, 1, 7, &DAYS, "day-of-week")?;
            }
        }
        Ok(())
    }

    fn next_after(&self, after: SystemTime) -> Option<SystemTime> {
        let secs = i64::try_from(after.duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()?;
        let start_minute = secs.div_euclid(60) + 1;
        let first_day = start_minute.div_euclid(1440);
        let mut from_minute = start_minute.rem_euclid(1440);
        let last_day = days_from_civil(LAST_YEAR, 12, 31);
        for day in first_day..=last_day {
            if self.day_matches(day)
                && let Some(minute) = self.first_minute_from(from_minute)
            {
                let at = u64::try_from(day * 86_400 + minute * 60).ok()?;
                return Some(UNIX_EPOCH + Duration::from_secs(at));
            }
            from_minute = 0;
        }
        None
    }

    fn day_matches(&self, day: i64) -> bool {
        let (year, month, dom) = civil_from_days(day);
        if let Some(years) = &self.years {
            let index = usize::try_from(year - FIRST_YEAR).unwrap_or(usize::MAX);
            if !years.get(index).copied().unwrap_or(false) {
                return false;
            }
        }
        if self.months & (1 << month) == 0 {
            return false;
        }
        let month_len = days_in_month(year, month);
        if !self.by_week_day {
            return self.month_days & (1 << dom) != 0 || (self.last_month_day && dom == month_len);
        }
        // 1970-01-01 was a Thursday; EventBridge counts 1 = Sunday … 7 = Saturday.
        let week_day = u32::try_from((day + 4).rem_euclid(7)).unwrap_or(0) + 1;
        self.week_days & (1 << week_day) != 0
            || (self.last_week_days & (1 << week_day) != 0 && dom + 7 > month_len)
            || self.nth_week_days.iter().any(|&(d, nth)| d == week_day && (dom - 1) / 7 + 1 == nth)
    }

    fn first_minute_from(&self, from: i64) -> Option<i64> {
        (from..1440)
            .find(|m| self.hours & (1 << (m / 60)) != 0 && self.minutes & (1 << (m % 60)) != 0)
    }
}

/// A field of small values as a bit set: `*`, `a`, `a-b`, `*/s`, `a/s`, `a-b/s`, comma lists.
fn field(text: &str, min: u32, max: u32, names: &[&str], what: &str) -> Result<u64, String> {
    let mut bits = 0u64;
    for (start, end, step) in items(text, min, max, names, what)? {
        let mut v = start;
        while v <= end {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok(bits)
}

fn field128(text: &str, min: i64, max: i64) -> Result<Vec<bool>, String> {
    let span = u32::try_from(max - min).map_err(|_| "year range")?;
    let mut years = vec![false; span as usize + 1];
    let shifted: Vec<String> =
        text.split(',').map(|item| shift_years(item, min)).collect::<Result<_, _>>()?;
    for (start, end, step) in items(&shifted.join(","), 0, span, &[], "year")? {
        let mut v = start;
        while v <= end {
            years[v as usize] = true;
            v += step;
        }
    }
    Ok(years)
}

/// Rewrites a year item relative to `min`, so that the small-value parser can read it.
fn shift_years(item: &str, min: i64) -> Result<String, String> {
    let shift = |v: &str| -> Result<String, String> {
        let year: i64 = v.parse().map_err(|_| format!("`{v}` is not a year"))?;
        if year < min {
            return Err(format!("year {year} is before {min}"));
        }
        Ok((year - min).to_string())
    };
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (item, None),
    };
    let range = match range {
        "*" => "*".to_owned(),
        _ => match range.split_once('-') {
            Some((a, b)) => format!("{}-{}", shift(a)?, shift(b)?),
            None => shift(range)?,
        },
    };
    Ok(match step {
        Some(step) => format!("{range}/{step}"),
        None => range,
    })
}

fn items(
    text: &str,
    min: u32,
    max: u32,
    names: &[&str],
    what: &str,
) -> Result<Vec<(u32, u32, u32)>, String> {
    text.split(',')
        .map(|item| {
            let (range, step) = match item.split_once('/') {
                Some((range, step)) => (range, value(step, 1, max.max(1), &[], what)?),
                None => (item, 1),
            };
            let (start, end) = match range {
                "*" => (min, max),
                _ => match range.split_once('-') {
                    Some((a, b)) => {
                        (value(a, min, max, names, what)?, value(b, min, max, names, what)?)
                    }
                    // `a/s` runs from `a` to the end; a bare `a` is just `a`.
                    None if item.contains('/') => (value(range, min, max, names, what)?, max),
                    None => {
                        let v = value(range, min, max, names, what)?;
                        (v, v)
                    }
                },
            };
            if start > end {
                return Err(format!("{what}: the range `{range}` runs backwards"));
            }
            Ok((start, end, step))
        })
        .collect()
}

fn value(text: &str, min: u32, max: u32, names: &[&str], what: &str) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    let parsed = match names.iter().position(|n| *n == upper) {
        Some(index) => u32::try_from(index).map_err(|_| "name index")? + min,
        None => text.parse().map_err(|_| format!("{what}: `{text}` is not a value"))?,
    };
    if parsed < min || parsed > max {
        return Err(format!("{what}: {parsed} is outside {min}-{max}"));
    }
    Ok(parsed)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
