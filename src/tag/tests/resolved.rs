//! Flags a curator marked checked or explained, and what to do about each flag.

use super::*;
use crate::i18n::{Lang, Msg};
use crate::record::FlagResolution;

fn explained(flag: &str) -> ResolvedFlag {
    ResolvedFlag {
        flag: flag.into(),
        resolution: FlagResolution {
            state: "explained".into(),
            note: "省级通知，各市州都应报送".into(),
            who: "curator".into(),
            at: "2026-12-03T10:00:00+08:00".into(),
        },
    }
}

#[test]
fn a_resolved_duplicate_stays_on_the_record_but_leaves_the_facet() {
    let b3 = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
    let mut a = fx("海东市/B4.1/通知.jpg");
    let mut b = fx("西宁市/B4.1/通知.jpg");
    a.blake3 = Some(b3.into());
    b.blake3 = Some(b3.into());
    a.resolved = vec![explained("duplicate_across_submissions")];
    b.resolved = a.resolved.clone();
    let t = run(&[a, b]);
    for t in &t {
        let f = t
            .flags
            .iter()
            .find(|f| f.flag == "duplicate_across_submissions")
            .expect("still raised");
        assert_eq!(f.resolved.as_ref().unwrap().state, "explained");
        let facets = facet_paths(schema(), t);
        assert!(
            !facets.iter().any(|p| p.starts_with("/flag/")),
            "a resolved flag needs no check: {facets:?}"
        );
    }
}

#[test]
fn a_decision_on_one_flag_leaves_the_others_open() {
    let mut f = fx("海东市/B4.1/微信图片_20190601.jpg");
    f.facts.captured_at = None;
    f.facts.software = Some("美图秀秀".into());
    f.resolved = vec![explained("possibly_edited")];
    let t = one(f);
    let open: Vec<&str> = t
        .flags
        .iter()
        .filter(|f| f.resolved.is_none())
        .map(|f| f.flag.as_str())
        .collect();
    assert_eq!(open, ["no_capture_date"]);
    assert!(facet_paths(schema(), &t).contains(&"/flag/no_capture_date".to_string()));
}

#[test]
fn every_flag_says_what_to_do_in_both_languages() {
    for flag in Flag::ALL {
        for l in [Lang::Zh, Lang::En] {
            let a = l.t(flag.advice(""));
            assert!(a.chars().count() > 10, "{flag:?} {l:?}: {a}");
        }
    }
    // A WeChat picture without a date: ask the sender for the 原图.
    let mut f = fx("海东市/B4.1/微信图片_20190601.jpg");
    f.facts.captured_at = None;
    let t = one(f);
    let fl = t
        .flags
        .iter()
        .find(|f| f.flag == "no_capture_date")
        .unwrap();
    assert!(
        crate::tag::flags::advice(fl, Lang::Zh).contains("原图"),
        "{}",
        crate::tag::flags::advice(fl, Lang::Zh)
    );
    let mut g = fx("海东市/B4.1/IMG_0001.jpg");
    g.facts.captured_at = None;
    let t = one(g);
    let fl = t
        .flags
        .iter()
        .find(|f| f.flag == "no_capture_date")
        .unwrap();
    assert_ne!(
        crate::tag::flags::advice(fl, Lang::Zh),
        Lang::Zh.t(Msg::AdviceNoDateMessenger)
    );
}
