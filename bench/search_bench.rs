//! In-process search latency over an existing archive: what one inspector's query costs
//! without HTTP in the way, so a slow page can be blamed on the right layer.
//!
//! Usage: `cargo run --release --example search_bench -- ARCHIVE_DIR [ROUNDS] [ONLY]` (ONLY: run
//! just the queries whose text contains it, to profile one).
//!
//! Runs a fixed set of queries (Chinese words, each with two facet filters, first page of 20
//! with facet counts and snippets, as the page asks) ROUNDS times after one warm-up round and
//! prints one JSON line: p50, p99 and max in milliseconds, the document count, and each
//! query's median (so that a slow p99 points at the query behind it).

use std::path::PathBuf;
use std::time::Instant;

use archive::config::Config;
use archive::index::SearchIndex;
use archive::search::{search, SearchRequest, Sort};

/// Queries an inspector types, each narrowed by two facets.
const QUERIES: &[(&str, &str, &str)] = &[
    ("科普", "prefecture=海东市", "media=document"),
    ("科普大篷车", "prefecture=西宁市", "media=photo"),
    ("科学素质", "year=2019", "media=document"),
    ("活动 记录", "prefecture=果洛州", "media=document"),
    ("科技活动周", "county=互助县", "media=photo"),
    ("培训", "prefecture=玉树州", "year=2018"),
    ("青少年 创新", "media=document", "status=present"),
    ("报告会", "prefecture=海西州", "media=document"),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: search_bench ARCHIVE_DIR [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(50);
    let only = args.get(2).map(String::as_str).unwrap_or("");
    let cfg = Config::load(&PathBuf::from(dir), None).unwrap_or_else(|e| fail(&e.to_string()));
    let schema = cfg.schema().unwrap_or_else(|e| fail(&e.to_string()));
    let idx = SearchIndex::open(&cfg.index_dir()).unwrap_or_else(|e| fail(&e.to_string()));
    let docs = idx.reader.searcher().num_docs();

    let mut times = Vec::with_capacity(rounds * QUERIES.len());
    let mut per_query: Vec<Vec<f64>> = vec![Vec::new(); QUERIES.len()];
    let mut hits_total = 0usize;
    for round in 0..=rounds {
        for (n, (q, f1, f2)) in QUERIES
            .iter()
            .enumerate()
            .filter(|(_, (q, ..))| q.contains(only))
        {
            let req = SearchRequest {
                query: q.to_string(),
                filters: [f1, f2]
                    .iter()
                    .map(|f| {
                        let (k, v) = f.split_once('=').unwrap();
                        (k.to_string(), v.to_string())
                    })
                    .collect(),
                sort: Sort::Relevance,
                offset: 0,
                limit: 20,
                facets: true,
                snippets: true,
                ranking_words: Vec::new(),
            };
            let t = Instant::now();
            let resp = search(&idx, &schema, &req)
                .unwrap_or_else(|e| fail(&format!("{q} {f1} {f2}: {e}")));
            let ms = t.elapsed().as_secs_f64() * 1e3;
            // Round 0 warms the page cache and tantivy's readers; it is not counted.
            if round > 0 {
                times.push(ms);
                per_query[n].push(ms);
                hits_total += resp.total;
            }
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let medians: Vec<String> = QUERIES
        .iter()
        .zip(&mut per_query)
        .filter(|(_, t)| !t.is_empty())
        .map(|((q, f1, f2), t)| {
            t.sort_by(|a, b| a.total_cmp(b));
            format!(
                "\"{q} {f1} {f2}\":{:.3}",
                t.get(t.len() / 2).copied().unwrap_or(0.0)
            )
        })
        .collect();
    println!(
        "{{\"docs\":{docs},\"queries\":{},\"p50_ms\":{:.3},\"p99_ms\":{:.3},\"max_ms\":{:.3},\"mean_hits\":{},\"median_ms_by_query\":{{{}}}}}",
        times.len(),
        pct(0.5),
        pct(0.99),
        times.last().copied().unwrap_or(0.0),
        hits_total / times.len().max(1),
        medians.join(",")
    );
}

fn fail(msg: &str) -> ! {
    eprintln!("search_bench: {msg}");
    std::process::exit(1);
}
