//! The timeline above the results: a histogram of capture months from the date facet, every
//! month between the first and the last (gaps show as empty bars), or years when the span is
//! too long to read (`templates/partials/timeline.html`).

use crate::search::SearchResponse;
use crate::serve::params::Params;

pub struct Timeline {
    pub bars: Vec<Bar>,
    pub first: String,
    pub last: String,
}

pub struct Bar {
    /// `2019-06` or `2019`, with its count: the bar's tooltip.
    pub title: String,
    /// `None` for an empty month (nothing to filter to).
    pub href: Option<String>,
    /// `field:value` of the filter the bar applies.
    pub filter: String,
    /// Height in percent of the tallest bar.
    pub height: String,
}

/// `None` when the results have no capture dates.
pub fn timeline(p: &Params, resp: &SearchResponse) -> Option<Timeline> {
    let dates = resp.facets.get("date")?;
    let mut months: Vec<(i32, u32, u64)> = Vec::new();
    let mut years: Vec<(i32, u64)> = Vec::new();
    for y in dates {
        let Ok(year) = y.label.parse::<i32>() else {
            continue;
        };
        years.push((year, y.count));
        for m in &y.children {
            if let Ok(month) = m.label.parse::<u32>() {
                months.push((year, month, m.count));
            }
        }
    }
    if months.is_empty() {
        return None;
    }
    months.sort();
    years.sort();
    let (y0, m0, _) = months[0];
    let (y1, m1, _) = months[months.len() - 1];
    let span = (y1 - y0) * 12 + m1 as i32 - m0 as i32 + 1;
    let mut bars: Vec<(String, &str, String, u64)> = Vec::new(); // label, field, value, count
    if span <= 72 {
        let (mut y, mut m) = (y0, m0);
        for _ in 0..span {
            let n = months
                .iter()
                .find(|(a, b, _)| *a == y && *b == m)
                .map(|t| t.2)
                .unwrap_or(0);
            bars.push((format!("{y}-{m:02}"), "date", format!("{y}-{m:02}"), n));
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    } else if years[years.len() - 1].0 - years[0].0 <= 60 {
        for y in years[0].0..=years[years.len() - 1].0 {
            let n = years.iter().find(|t| t.0 == y).map(|t| t.1).unwrap_or(0);
            bars.push((y.to_string(), "year", y.to_string(), n));
        }
    } else {
        // A camera clock set to 1900 or 2099 would stretch the axis over a century: show only
        // the years that occur.
        for (y, n) in &years {
            bars.push((y.to_string(), "year", y.to_string(), *n));
        }
    }
    let max = bars.iter().map(|b| b.3).max().unwrap_or(1).max(1) as f64;
    let first = bars[0].0.clone();
    let last = bars[bars.len() - 1].0.clone();
    let bars = bars
        .into_iter()
        .map(|(label, field, value, n)| {
            let href = (n > 0).then(|| {
                p.href("/", |q| {
                    q.filters.retain(|(f, _)| f != "date" && f != "year");
                    q.filters.push((field.to_string(), value.clone()));
                })
            });
            let h = if n == 0 {
                0.0
            } else {
                6.0 + 94.0 * (n as f64 / max)
            };
            Bar {
                title: format!("{label}: {n}"),
                href,
                filter: format!("{field}:{value}"),
                height: format!("{h:.0}"),
            }
        })
        .collect();
    Some(Timeline { bars, first, last })
}
