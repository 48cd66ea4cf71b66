//! Value formatting of the results string (D29).

/// Append a double as the results string prints it.
pub fn write_double(x: f64, out: &mut String) {
    out.push_str(&format_double(x));
}

/// A double as the results string prints it.
pub fn format_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    // C `%g` / .NET `G6`: round to 6 significant digits first, then choose the exponent form
    // when the decimal exponent of the rounded value is below -4 or at least 6.
    let e = format!("{:.5e}", x);
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let m = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let decimals = (5 - exp).max(0) as usize;
    let s = format!("{:.*}", decimals, x);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Append a doubleVec: `[a,b,c]`.
pub fn write_double_vec(xs: &[f64], out: &mut String) {
    out.push('[');
    for (i, x) in xs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_double(*x, out);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::format_double;

    /// D29: integers below 1e15 whole; otherwise C `%g` / .NET `G6`, whose exponent form
    /// starts below 1e-4 (judged on the value rounded to 6 digits) and at 1e6.
    #[test]
    fn doubles_print_like_percent_g() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (16_777_216.0, "16777216"),
            (999_999_999_999_999.0, "999999999999999"),
            (1e15, "1e+15"),
            (1e20, "1e+20"),
            (0.5, "0.5"),
            (96.666_666_7, "96.6667"),
            (1.0 / 3.0, "0.333333"),
            (123_456_789.5, "1.23457e+08"),
            (0.0001, "0.0001"),
            (0.000_123_456_78, "0.000123457"),
            (0.000_099_999_999, "0.0001"),
            (0.000_05, "5e-05"),
            (-0.000_05, "-5e-05"),
            (0.000_012_345, "1.2345e-05"),
            (1e-6, "1e-06"),
            (123_456.7, "123457"),
            (999_999.7, "1e+06"),
            (1.5e20, "1.5e+20"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, want) in cases {
            assert_eq!(format_double(x), want, "{x:e}");
        }
    }
}
