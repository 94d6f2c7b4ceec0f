use super::*;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn utc(year: i64, month: u32, day: u32, hour: u64, minute: u64) -> SystemTime {
    let days = u64::try_from(days_from_civil(year, month, day)).expect("after 1970");
    at(days * 86_400 + hour * 3600 + minute * 60)
}

fn next(expr: &str, after: SystemTime) -> SystemTime {
    Schedule::parse(expr).expect(expr).next_after(after).expect("fires again")
}

#[test]
fn civil_round_trip() {
    for day in [-1, 0, 59, 365, 10_957, 19_723, 47_482] {
        let (y, m, d) = civil_from_days(day);
        assert_eq!(days_from_civil(y, m, d), day);
    }
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(19_723), (2024, 1, 1));
}

#[test]
fn rates() {
    assert_eq!(
        Schedule::parse("rate(1 minute)").unwrap().interval(),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        Schedule::parse("rate(2 hours)").unwrap().interval(),
        Some(Duration::from_secs(7200))
    );
    assert_eq!(
        Schedule::parse("rate(1 day)").unwrap().interval(),
        Some(Duration::from_secs(86_400))
    );
    for bad in [
        "rate(1 minutes)",
        "rate(5 minute)",
        "rate(0 minutes)",
        "rate(5 seconds)",
        "rate(5)",
        "rate(x minutes)",
    ] {
        assert!(Schedule::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn cron_basics() {
    // Every day at 12:00 UTC.
    assert_eq!(next("cron(0 12 * * ? *)", utc(2024, 3, 1, 11, 59)), utc(2024, 3, 1, 12, 0));
    assert_eq!(next("cron(0 12 * * ? *)", utc(2024, 3, 1, 12, 0)), utc(2024, 3, 2, 12, 0));
    // Every 15 minutes.
    assert_eq!(next("cron(0/15 * * * ? *)", utc(2024, 3, 1, 10, 16)), utc(2024, 3, 1, 10, 30));
    // 18:00 Monday to Friday (2024-03-02 is a Saturday).
    assert_eq!(next("cron(0 18 ? * MON-FRI *)", utc(2024, 3, 2, 0, 0)), utc(2024, 3, 4, 18, 0));
    // 1 = Sunday.
    assert_eq!(next("cron(0 8 ? * 1 *)", utc(2024, 3, 1, 0, 0)), utc(2024, 3, 3, 8, 0));
    // First day of the month at 08:00.
    assert_eq!(next("cron(0 8 1 * ? *)", utc(2024, 3, 1, 9, 0)), utc(2024, 4, 1, 8, 0));
    // Last day of February in a leap year.
    assert_eq!(next("cron(0 0 L * ? *)", utc(2024, 2, 2, 0, 0)), utc(2024, 2, 29, 0, 0));
    // Last Friday of the month, second Monday of the month.
    assert_eq!(next("cron(0 0 ? * 6L *)", utc(2024, 3, 1, 0, 0)), utc(2024, 3, 29, 0, 0));
    assert_eq!(next("cron(0 0 ? * 2#2 *)", utc(2024, 3, 1, 0, 0)), utc(2024, 3, 11, 0, 0));
    // `L` alone in day-of-week is its last day: every Saturday (2024-03-02 and 03-09).
    assert_eq!(next("cron(0 0 ? * L *)", utc(2024, 3, 2, 0, 0)), utc(2024, 3, 9, 0, 0));
    // Names, lists and years.
    assert_eq!(
        next("cron(30 9 15 JAN,jul ? 2025-2026)", utc(2024, 3, 1, 0, 0)),
        utc(2025, 1, 15, 9, 30)
    );
}

#[test]
fn cron_that_never_fires_again() {
    let past = Schedule::parse("cron(0 0 1 1 ? 1999)").unwrap();
    assert_eq!(past.next_after(utc(2024, 1, 1, 0, 0)), None);
}

#[test]
fn cron_errors_say_why() {
    for (bad, why) in [
        ("cron(0 12 * * *)", "six fields"),
        ("cron(0 12 * * MON *)", "`?`"),
        ("cron(0 12 ? * ? *)", "`?`"),
        ("cron(60 12 * * ? *)", "outside"),
        ("cron(0 24 * * ? *)", "outside"),
        ("cron(0 12 15W * ? *)", "not supported"),
        ("cron(0 12 ? * 0 *)", "outside"),
        ("cron(0 12 * * ? 1960)", "before"),
        ("cron(0 12 10-5 * ? *)", "backwards"),
        ("every 5 minutes", "rate(…) or cron(…)"),
    ] {
        let err = Schedule::parse(bad).expect_err(bad).to_string();
        assert!(err.contains(why), "{bad}: {err}");
        assert!(err.contains(bad.trim()), "{err}");
    }
}

#[test]
fn every_is_for_tests_and_local_runs() {
    let fast = Schedule::every(Duration::from_millis(50));
    assert_eq!(fast.next_after(at(10)), Some(at(10) + Duration::from_millis(50)));
    assert_eq!(format!("{fast}"), "every(50ms)");
}
