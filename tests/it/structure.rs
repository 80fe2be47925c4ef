//! The shape of the source tree, checked like behaviour: top-level modules import each other
//! without cycles (so each stage of the pipeline can be read, tested and replaced from the bottom
//! up), and no source file grows past the size at which it starts mixing concerns. A newcomer
//! who adds an upward import or a 1,000-line file sees this test fail with the path to fix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Past this a file has, so far every time, held more than one concern (issue 14).
const MAX_LINES: usize = 800;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file that ships: test modules (a `tests.rs`, a `tests/` folder, or what
/// follows `#[cfg(test)]`) may reach any module, since a fixture generator sits beside what it tests.
fn shipped_code(path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy();
    let in_src = path.strip_prefix(src_dir()).unwrap_or(path);
    let in_tests_folder = in_src.components().any(|c| c.as_os_str() == "tests");
    if name == "tests.rs" || name.ends_with("_tests.rs") || in_tests_folder {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") || t.starts_with("#[cfg(all(test,") {
            break;
        }
        // Comments may name modules ("see crate::search") without importing them.
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The top-level modules named by `crate::a::…` and `crate::{a, b::c}` paths.
fn imported_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut end = group.len();
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let mut depth = 0;
            let mut item = String::new();
            for c in group[..end].chars().chain(std::iter::once(',')) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let head: String = item
                            .trim()
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !head.is_empty() {
                            found.insert(head);
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !head.is_empty() {
                found.insert(head);
            }
        }
    }
    found
}

fn module_graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let src = src_dir();
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib"
            || name == "main"
            || !(p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
        {
            continue;
        }
        modules.insert(name, p);
    }
    let mut graph = BTreeMap::new();
    for (name, path) in &modules {
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(path, &mut files);
        } else {
            files.push(path.clone());
        }
        let mut edges: BTreeMap<String, PathBuf> = BTreeMap::new();
        for f in files {
            for m in imported_modules(&shipped_code(&f)) {
                if &m != name && modules.contains_key(&m) {
                    edges
                        .entry(m)
                        .or_insert_with(|| f.strip_prefix(&src).unwrap().to_path_buf());
                }
            }
        }
        graph.insert(name.clone(), edges);
    }
    graph
}

/// A cycle as the list of modules along it, with the file that makes each step.
fn find_cycle(graph: &BTreeMap<String, BTreeMap<String, PathBuf>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, PathBuf>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for (next, file) in &graph[node] {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|m| m == next).unwrap();
                    let mut cycle: Vec<String> = stack[start..].to_vec();
                    cycle.push(format!("{next}   (last step in src/{})", file.display()));
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(node, graph, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_parser_sees_single_and_grouped_imports() {
    let code = "use crate::catalog::Catalog;\nuse crate::{search::{Hit, Query}, tag};\nlet x = crate::walk::run();";
    let got: Vec<String> = imported_modules(code).into_iter().collect();
    assert_eq!(got, ["catalog", "search", "tag", "walk"]);
    let cyclic: BTreeMap<String, BTreeMap<String, PathBuf>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| {
        (
            k.to_string(),
            v.into_iter()
                .map(|t| (t.to_string(), PathBuf::from("x.rs")))
                .collect(),
        )
    })
    .collect();
    assert!(find_cycle(&cyclic).is_some());
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let graph = module_graph();
    assert!(
        graph.len() > 10,
        "found only {} modules under src/",
        graph.len()
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "top-level modules import each other in a cycle:\n  {}\nmove the shared item down \
             to the lower module (docs/ARCHITECTURE.md shows the intended order)",
            cycle.join("\n  -> ")
        );
    }
}

#[test]
fn no_source_file_is_over_the_size_limit() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let too_long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(
        too_long.is_empty(),
        "files over {MAX_LINES} lines mix concerns; split them:\n  {}",
        too_long.join("\n  ")
    );
}

/// Windows and ARM64 builds (issue 23) stay possible only if what differs between systems stays
/// in `src/platform/`: a `std::os::unix` call anywhere else is a Linux-only build again, found
/// by CI's cross check only after the fact. Tests may use them (they run on Linux).
#[test]
fn system_specific_code_is_only_in_the_platform_module() {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let platform = src_dir().join("platform");
    let found: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(&platform))
        .filter(|f| {
            let code = shipped_code(f);
            code.contains("std::os::unix") || code.contains("std::os::windows")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        found.is_empty(),
        "std::os::unix / std::os::windows outside src/platform/ (put the difference behind a \
         function there, docs/platforms.md):\n  {}",
        found.join("\n  ")
    );
}
