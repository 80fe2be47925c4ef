//! The review flow on the page (issue 22, item 3): the collection as a grid of thumbnails with
//! date, place, indicator and flags; reviews sent by the page's script (JSON answers, no
//! reload), several at once and "accept all pending", audited like the forms and refused
//! without the CSRF token; previous and next on record pages opened from a collection or a
//! search; re-tagging by name with a confirmation and a history line saying old → new. Shares
//! the signed-in archive of `curate_web`.

use archive::i18n::Lang;
use axum::http::StatusCode;
use serde_json::Value;

use crate::curate_web::{enc, fixture, get, post, send, sign_in, Client, Got};

const JSON: (&str, &str) = ("accept", "application/json");

/// Photos of the sample archive (distinct contents), each with its id and record.
async fn photos(c: &Client) -> Vec<(i64, Value)> {
    let f = fixture();
    let g = get(
        &f.state,
        "/api/search?f=media:photo&sort=date_asc&limit=200",
        c,
    )
    .await;
    let v: Value = serde_json::from_slice(&g.body).unwrap();
    let mut seen = std::collections::HashSet::new();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["id"].as_i64().unwrap(), h["record"].clone()))
        .filter(|(_, r)| seen.insert(r["blake3"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// A new collection holding `ids` in that order; its page's path.
async fn collection(c: &Client, name: &str, ids: &[i64]) -> String {
    let f = fixture();
    let made = post(&f.state, "/collections", c, &[("name", name)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut form = vec![("collection", name)];
    form.extend(ids.iter().map(|i| ("file", i.as_str())));
    let added = post(&f.state, "/collections/add", c, &form).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    format!("/collections/{}", enc(name))
}

/// POST as the page's script does: the form's fields and token, asking for JSON.
async fn post_json(path: &str, c: &Client, form: &[(&str, &str)]) -> Got {
    let mut form = form.to_vec();
    form.push(("csrf", &c.csrf));
    send(&fixture().state, "POST", path, c, &form, &[JSON]).await
}

fn json(g: &Got) -> Value {
    serde_json::from_slice(&g.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", g.text()))
}

/// The review state of `id` in collection `name`, from the API.
async fn state_of(c: &Client, name: &str, id: i64) -> String {
    let g = get(
        &fixture().state,
        &format!("/api/collections/{}", enc(name)),
        c,
    )
    .await;
    let v: Value = serde_json::from_slice(&g.body).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|it| it["file_id"] == id)
        .map(|it| it["review"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_collection_is_a_grid_of_thumbnails_with_dates_places_and_flags() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let all = photos(&c).await;
    let dated: Vec<&(i64, Value)> = all
        .iter()
        .filter(|(_, r)| r["evidence_date"].is_string())
        .take(2)
        .collect();
    let flagged = all
        .iter()
        .find(|(_, r)| !r["flags"].as_array().unwrap().is_empty())
        .expect("a photo with a flag in the sample");
    assert_eq!(dated.len(), 2);
    let ids = [dated[0].0, dated[1].0, flagged.0];
    let base = collection(&c, "网格", &ids).await;
    let page = get(&f.state, &base, &c).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(r#"<ol class="grid items">"#), "{html}");
    for (_, r) in dated.iter().copied().chain([flagged]) {
        let b3 = r["blake3"].as_str().unwrap();
        assert!(
            html.contains(&format!(r#"src="/thumb/{b3}""#)),
            "thumbnail of {b3}"
        );
        let name = r["path"].as_str().unwrap().rsplit('/').next().unwrap();
        assert!(
            html.contains(&format!(">{name}</a>")),
            "the name, not the full path: {name}"
        );
    }
    for (_, r) in &dated {
        let day = &r["evidence_date"].as_str().unwrap()[..10];
        assert!(
            html.contains(&format!(r#"<div class="when">{day}"#)),
            "date {day}"
        );
    }
    let flag = flagged.1["flags"][0]["flag"].as_str().unwrap();
    let label = archive::tag::Flag::parse(flag).unwrap().label(Lang::Zh);
    assert!(
        html.contains(&format!(r#"">{label}</span>"#)) && html.contains(r#"<span class="flag""#),
        "flag {label}"
    );
    if let Some(place) = dated[0].1["prefecture"]["name"].as_str() {
        assert!(html.contains(place), "place {place}");
    }
    // One checkbox per item for multi-select, the keys' script, and no inline script (CSP).
    assert_eq!(html.matches(r#"form="bulk""#).count(), 3);
    assert!(html.contains(r#"<script src="/static/review.js" defer></script>"#));
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=").count()
    );
    assert!(
        html.contains("全部待审通过（3 项）"),
        "accept-all counts the pending"
    );
    let js = get(&f.state, "/static/review.js", &c).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.text().contains("\"Accept\": \"application/json\""));
}

#[tokio::test]
async fn a_review_sent_by_the_script_is_answered_with_json_and_audited() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let all = photos(&c).await;
    let (id, rec) = (all[3].0, all[3].1.clone());
    let name = "键盘审核";
    let base = collection(&c, name, &[id, all[4].0]).await;
    let ids = id.to_string();
    let g = post_json(
        &format!("{base}/review"),
        &c,
        &[("file", &ids), ("state", "accepted")],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.text());
    assert!(g.headers["content-type"].to_str().unwrap().contains("json"));
    let v = json(&g);
    assert_eq!(v["changed"], 1);
    assert_eq!(v["pending"], 1);
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|it| it["id"] == id)
        .unwrap();
    assert_eq!(item["state"], "accepted");
    assert!(item["text"].as_str().unwrap().starts_with("通过"), "{item}");
    assert_eq!(state_of(&c, name, id).await, "accepted");

    // Rejecting needs a reason here too, said in the page's language as JSON.
    let refused = post_json(
        &format!("{base}/review"),
        &c,
        &[("file", &ids), ("state", "rejected")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(json(&refused)["error"]
        .as_str()
        .unwrap()
        .contains("需要填写原因"));
    let g = post_json(
        &format!("{base}/review"),
        &c,
        &[
            ("file", &ids),
            ("state", "rejected"),
            ("reason", "非评估期内"),
        ],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.text());
    assert_eq!(state_of(&c, name, id).await, "rejected");

    // Audited like the forms, and the file's history says from what to what.
    let record = get(
        &f.state,
        &format!("/record/{}", rec["blake3"].as_str().unwrap()),
        &c,
    )
    .await
    .text();
    assert!(record.contains("review.set"), "{record}");
    assert!(record.contains("审核：待审 → 通过"), "{record}");
    assert!(record.contains("审核：通过 → 不通过"), "{record}");
    assert!(record.contains("非评估期内"));
    // The reason is offered again on the page.
    let page = get(&f.state, &base, &c).await.text();
    assert!(page.contains(r#"<option value="非评估期内">"#), "{page}");
    assert!(page.contains(r#"data-reason="非评估期内""#));

    // A form without the script still works and comes back to the item, not the top.
    let g = post(
        &f.state,
        &format!("{base}/review"),
        &c,
        &[("file", &ids), ("state", "pending")],
    )
    .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER);
    assert!(
        g.location().ends_with(&format!("#item-{id}")),
        "{}",
        g.location()
    );
}

#[tokio::test]
async fn several_items_at_once_and_all_pending() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let all = photos(&c).await;
    let ids: Vec<i64> = all.iter().skip(5).take(4).map(|(i, _)| *i).collect();
    assert_eq!(ids.len(), 4);
    let name = "批量审核";
    let base = collection(&c, name, &ids).await;
    let s: Vec<String> = ids.iter().map(i64::to_string).collect();
    let g = post_json(
        &format!("{base}/review"),
        &c,
        &[("file", &s[0]), ("file", &s[1]), ("state", "accepted")],
    )
    .await;
    assert_eq!(json(&g)["changed"], 2, "{}", g.text());
    let g = post_json(
        &format!("{base}/review"),
        &c,
        &[
            ("file", &s[2]),
            ("state", "rejected"),
            ("reason", "照片模糊"),
        ],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK);
    // "Accept all pending" with every item shown: only the one still pending is accepted; the
    // rejected one keeps its decision.
    let mut form: Vec<(&str, &str)> = s.iter().map(|i| ("file", i.as_str())).collect();
    let g = post_json(&format!("{base}/accept_pending"), &c, &form).await;
    let v = json(&g);
    assert_eq!(
        (v["changed"].clone(), v["pending"].clone()),
        (1.into(), 0.into()),
        "{v}"
    );
    assert_eq!(state_of(&c, name, ids[3]).await, "accepted");
    assert_eq!(state_of(&c, name, ids[2]).await, "rejected");
    // Without the script: a form, answered with a redirect.
    form.push(("csrf", &c.csrf));
    let g = send(
        &f.state,
        "POST",
        &format!("{base}/accept_pending"),
        &c,
        &form,
        &[],
    )
    .await;
    assert_eq!(g.status, StatusCode::SEE_OTHER);
    let page = get(&f.state, &base, &c).await.text();
    assert!(page.contains("全部待审通过（0 项）"));
    assert_eq!(page.matches("review-accepted").count(), 3);
}

#[tokio::test]
async fn reviews_without_the_csrf_token_are_refused() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let all = photos(&c).await;
    let id = all[9].0;
    let name = "令牌审核";
    let base = collection(&c, name, &[id]).await;
    let ids = id.to_string();
    for token in [None, Some("0".repeat(64))] {
        let mut form = vec![("file", ids.as_str()), ("state", "accepted")];
        if let Some(t) = &token {
            form.push(("csrf", t));
        }
        for action in ["review", "accept_pending"] {
            let g = send(
                &f.state,
                "POST",
                &format!("{base}/{action}"),
                &c,
                &form,
                &[JSON],
            )
            .await;
            assert_eq!(g.status, StatusCode::FORBIDDEN, "{action} {token:?}");
            assert!(g.text().contains("CSRF"));
        }
    }
    assert_eq!(state_of(&c, name, id).await, "pending");
    // The header scripts may use instead works too.
    let g = send(
        &f.state,
        "POST",
        &format!("{base}/review"),
        &c,
        &[("file", &ids), ("state", "accepted")],
        &[JSON, ("x-csrf-token", &c.csrf)],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.text());
}

/// `href="…"` of the link with `id`, HTML entities of `&` undone.
fn link(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!(r#"id="{id}""#))?;
    let rest = &html[at..];
    let start = rest.find("href=\"")? + 6;
    let end = start + rest[start..].find('"')?;
    Some(rest[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

#[tokio::test]
async fn record_pages_link_previous_and_next_inside_a_collection() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let all = photos(&c).await;
    let items: Vec<&(i64, Value)> = all.iter().skip(10).take(3).collect();
    let name = "上下翻页";
    let ids: Vec<i64> = items.iter().map(|(i, _)| *i).collect();
    let base = collection(&c, name, &ids).await;
    let b3 = |i: usize| items[i].1["blake3"].as_str().unwrap().to_string();
    let grid = get(&f.state, &base, &c).await.text();
    let coll = format!("collection={}", enc(name));
    let second = format!("/record/{}?id={}&{coll}", b3(1), ids[1]);
    assert!(
        grid.replace("&amp;", "&")
            .replace("&#38;", "&")
            .contains(&second),
        "the grid opens records inside the collection: {second}"
    );
    let page = get(&f.state, &second, &c).await.text();
    let prev = link(&page, "prev").expect("a previous link");
    let next = link(&page, "next").expect("a next link");
    assert!(prev.contains(&b3(0)) && prev.contains(&coll), "{prev}");
    assert!(next.contains(&b3(2)) && next.contains(&coll), "{next}");
    assert_eq!(
        link(&page, "back").unwrap(),
        format!("{base}#item-{}", ids[1])
    );
    assert!(page.contains("第 2 / 3 项") && page.contains("返回专题「上下翻页」"));
    // The other language and a re-tag stay inside the collection.
    let toggle = link(&page, "lang-toggle").unwrap();
    assert!(
        toggle.contains(&coll) && toggle.contains("lang=en"),
        "{toggle}"
    );
    assert!(
        page.replace("&amp;", "&")
            .replace("&#38;", "&")
            .contains(&format!(r#"name="back" value="{second}""#)),
        "the re-tag form comes back here"
    );
    let first = get(&f.state, &prev, &c).await.text();
    assert!(link(&first, "prev").is_none() && link(&first, "next").is_some());
    let last = get(&f.state, &next, &c).await.text();
    assert!(link(&last, "next").is_none());
}

#[tokio::test]
async fn record_pages_link_previous_and_next_inside_a_search_and_go_back_to_it() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let results = get(&f.state, "/?q=%E7%A7%91%E6%99%AE&f=media:photo", &c)
        .await
        .text()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let hrefs: Vec<String> = results
        .match_indices(r#"<a class="name" href=""#)
        .map(|(at, m)| {
            let s = &results[at + m.len()..];
            s[..s.find('"').unwrap()].to_string()
        })
        .collect();
    assert!(hrefs.len() >= 3, "{hrefs:?}");
    assert!(
        hrefs[1].contains("pos=2") && hrefs[1].contains("f=media"),
        "{}",
        hrefs[1]
    );
    let page = get(&f.state, &hrefs[1], &c).await.text();
    let strip = |s: &str| s.split("&pos=").next().unwrap().to_string();
    assert_eq!(strip(&link(&page, "prev").unwrap()), strip(&hrefs[0]));
    assert_eq!(strip(&link(&page, "next").unwrap()), strip(&hrefs[2]));
    // 返回检索 keeps the words and the filters.
    let back = link(&page, "back").unwrap();
    assert!(back.starts_with("/?") && back.contains("f=media"), "{back}");
    assert!(back.contains("q=%E7%A7%91%E6%99%AE"), "{back}");
    assert!(page.contains("第 2 / "), "the place in the results");
}

#[tokio::test]
async fn retag_by_name_confirms_and_the_history_shows_old_and_new() {
    let f = fixture();
    let c = sign_in(&f.state, "cai").await;
    let all = photos(&c).await;
    let (id, rec) = all
        .iter()
        .skip(13)
        .find(|(_, r)| {
            r["indicators"]
                .as_array()
                .is_some_and(|i| i.iter().all(|x| x["code"] != "B4.1"))
        })
        .cloned()
        .expect("a photo not tagged B4.1");
    let b3 = rec["blake3"].as_str().unwrap();
    let ids = id.to_string();
    let page = get(&f.state, &format!("/record/{b3}"), &c).await.text();
    assert!(
        page.contains(r#"<datalist id="indicator-list">"#)
            && page.contains(r#"<option value="B4.1 科普大篷车">"#),
        "a searchable list of the indicators"
    );
    for (typed, ok) in [
        ("4.1", true),
        ("科普大篷车活动", true),
        ("4", false),
        ("火星", false),
    ] {
        let g = retag(&c, b3, &ids, typed, false).await;
        let t = g.text();
        if ok {
            assert_eq!(g.status, StatusCode::OK, "{typed}: {t}");
            assert!(t.contains("<b>B4.1 科普大篷车</b>"), "{typed}: {t}");
            assert!(t.contains(r#"name="value" value="B4.1""#), "{typed}");
        } else {
            assert_eq!(g.status, StatusCode::BAD_REQUEST, "{typed}");
            assert!(t.contains("指标"), "said in Chinese: {t}");
        }
    }
    let several = retag(&c, b3, &ids, "4", false).await.text();
    assert!(
        several.contains("A4 ") && several.contains("B4 "),
        "the candidates are listed"
    );
    // Nothing changed before the confirmation.
    let before = get(&f.state, &format!("/api/record/{b3}"), &c).await;
    assert!(!before.text().contains("\"code\":\"B4.1\""));
    let old = rec["indicators"][0]["code"].as_str().map(str::to_string);
    // The confirmation comes back to the record page as it was opened, and only to it.
    let foreign = retag_back(&c, b3, &ids, "4.1", false, "https://evil.example/").await;
    assert!(!foreign.text().contains("evil.example"));
    let here = format!("/record/{b3}?id={id}&collection={}", enc("某专题"));
    let g = retag_back(&c, b3, &ids, "B4.1", true, &here).await;
    assert_eq!(g.status, StatusCode::SEE_OTHER, "{}", g.text());
    assert_eq!(g.location(), here);
    let page = get(&f.state, &format!("/record/{b3}"), &c).await.text();
    let line = page
        .split("<li>")
        .find(|l| l.contains("tag.set"))
        .expect("a tag.set line in the history");
    assert!(line.contains("→ B4.1 科普大篷车"), "{line}");
    match old {
        Some(code) => assert!(line.contains(&format!("指标：{code} ")), "{line}"),
        None => assert!(line.contains("（无） →"), "{line}"),
    }
}

/// The re-tag form of a record page, sent with `value` (and confirmed or not).
async fn retag(c: &Client, b3: &str, id: &str, value: &str, confirm: bool) -> Got {
    retag_back(c, b3, id, value, confirm, "").await
}

/// The same, with the page to come back to.
async fn retag_back(c: &Client, b3: &str, id: &str, value: &str, confirm: bool, back: &str) -> Got {
    let mut form = vec![
        ("file", id),
        ("kind", "indicator"),
        ("value", value),
        ("reason", "活动通知写明大篷车"),
        ("back", back),
    ];
    if confirm {
        form.push(("confirm", "1"));
    }
    post(&fixture().state, &format!("/record/{b3}/tag"), c, &form).await
}
