//! Durations as Velostream writes them: `30s`, `5m`, `1h`, `500ms`, `INTERVAL '5' MINUTE`.

/// Milliseconds of a duration: `30s`, `5m`, `1h`, `2d`, `1w`, `500ms`, a bare number of seconds,
/// or `INTERVAL '5' MINUTE` (also `INTERVAL '5 minutes'`); the clause text has no spaces between
/// tokens, so `INTERVAL'5'MINUTE` is accepted too. `None` for anything else (including units finer
/// than a millisecond).
pub(crate) fn parse_duration(text: &str) -> Option<i64> {
    let t = text.trim();
    let (number, unit) = match strip_prefix_ci(t, "INTERVAL") {
        Some(rest) => {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('\'')?;
            let (quoted, after) = rest.split_once('\'')?;
            let quoted = quoted.trim();
            match after.trim() {
                "" => split_number(quoted)?,
                unit => (quoted, unit),
            }
        }
        None => split_number(t)?,
    };
    let n: i64 = number.trim().parse().ok()?;
    let unit_ms: i64 = match unit.trim().to_ascii_lowercase().trim_end_matches('s') {
        "" | "sec" | "second" => 1000,
        "m" => {
            if unit.trim().eq_ignore_ascii_case("ms") {
                1
            } else {
                60_000
            }
        }
        "millisecond" | "milli" => 1,
        "min" | "minute" => 60_000,
        "h" | "hour" | "hr" => 3_600_000,
        "d" | "day" => 86_400_000,
        "w" | "week" => 604_800_000,
        _ => return None,
    };
    n.checked_mul(unit_ms)
}

/// `5m` → ("5", "m"); `5 minutes` → ("5", "minutes"); `30` → ("30", "").
fn split_number(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    (end > 0).then(|| (&s[..end], s[end..].trim()))
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?; // `None` too when the cut falls inside a character
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}
