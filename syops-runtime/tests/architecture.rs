//! The runtime's data flows one way (ARCHITECTURE.md): no source file depends on a file that
//! depends on it back, directly or through others. A file depends on another when its code names
//! an item defined there (`use crate::…`, `super::…`, inline paths), re-exports resolved to the
//! file that defines the item; `mod` declarations, re-exports themselves (`pub use`, `pub(crate)
//! use`), `$crate` paths in macros and `#[cfg(test)]` code are not dependencies.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A file's module path (`report::assemble`; empty for `lib.rs`), its uses and its code paths.
struct File {
    defined: BTreeSet<String>,
    /// Every `use` binding: (name bound, full path, is a re-export).
    uses: Vec<(String, String, bool)>,
    /// Paths its code names (`crate::a::b`, `super::x`), from `use` statements and inline.
    paths: Vec<String>,
}

/// The code of `text` before its first `#[cfg(test)]` item, without comments.
fn code(text: &str) -> String {
    let cut = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..cut]
        .lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b::C, D as E, self}` → `[("C", "a::b::C"), ("E", "a::D"), ("a", "a")]`.
fn flatten(prefix: &str, tree: &str, out: &mut Vec<(String, String)>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = tree[..open].trim().trim_end_matches("::");
        let prefix = join(prefix, head);
        let inner = &tree[open + 1..tree.rfind('}').expect("balanced braces")];
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    flatten(&prefix, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        flatten(&prefix, &inner[start..], out);
        return;
    }
    if tree.is_empty() || tree.ends_with('*') {
        return;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((p, a)) => (p.trim(), a.trim()),
        None => (tree, tree.rsplit("::").next().unwrap_or(tree)),
    };
    if path == "self" {
        let name = prefix.rsplit("::").next().unwrap_or(prefix).to_string();
        out.push((name, prefix.to_string()));
    } else {
        out.push((alias.to_string(), join(prefix, path)));
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}::{b}"),
    }
}

fn parse(text: &str) -> File {
    let code = code(text);
    let mut defined = BTreeSet::new();
    for line in code.lines() {
        let words: Vec<&str> =
            line.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
        if let Some(i) =
            words.iter().position(|w| matches!(*w, "struct" | "enum" | "fn" | "trait" | "type" | "const" | "static"))
        {
            let before = &words[..i];
            if before.iter().all(|w| matches!(*w, "pub" | "crate" | "super" | "unsafe" | "async" | "in")) {
                if let Some(name) = words.get(i + 1) {
                    defined.insert(name.to_string());
                }
            }
        }
    }
    let (mut uses, mut paths) = (Vec::new(), Vec::new());
    let mut rest = code.as_str();
    while let Some(at) = rest.find("use ") {
        let boundary = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric() && rest.as_bytes()[at - 1] != b'_';
        let end = rest[at..].find(';').map_or(rest.len(), |e| at + e);
        if boundary {
            let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
            let reexport = rest[line_start..at].trim_start().starts_with("pub");
            let mut flat = Vec::new();
            flatten("", &rest[at + 4..end], &mut flat);
            for (name, path) in flat {
                if !reexport {
                    paths.push(path.clone());
                }
                uses.push((name, path, reexport));
            }
        }
        rest = &rest[(end + 1).min(rest.len())..];
    }
    // Inline paths in code outside `use` statements.
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let i = from + i;
            from = i + start.len();
            let prev = if i == 0 { b' ' } else { bytes[i - 1] };
            if prev.is_ascii_alphanumeric() || prev == b'_' || prev == b'$' || prev == b':' {
                continue;
            }
            let line_start = code[..i].rfind('\n').map_or(0, |j| j + 1);
            if code[line_start..i].contains("use ") {
                continue;
            }
            let len =
                code[i..].find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(code.len() - i);
            paths.push(code[i..i + len].trim_end_matches(':').to_string());
        }
    }
    File { defined, uses, paths }
}

/// The segments of `path` from the crate's root, seen from `module` (a path that starts with none
/// of `crate`, `super`, `self` is taken as relative: a child module, or an external crate that
/// then resolves to nothing).
fn absolute(module: &str, path: &str) -> Vec<String> {
    let mut base: Vec<String> = if module.is_empty() { vec![] } else { module.split("::").map(String::from).collect() };
    let mut segs = path.split("::").peekable();
    match segs.peek().copied() {
        Some("crate") => {
            base.clear();
            segs.next();
        }
        Some("self") => {
            segs.next();
        }
        _ => {
            while segs.peek() == Some(&"super") {
                segs.next();
                base.pop();
            }
        }
    }
    base.extend(segs.map(String::from));
    base
}

/// The file (module path) that defines the item `path` names, seen from `module`.
fn resolve(files: &BTreeMap<String, File>, module: &str, path: &str, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let segs = absolute(module, path);
    let mut here = String::new();
    let mut i = 0;
    while i < segs.len() && files.contains_key(&join(&here, &segs[i])) {
        here = join(&here, &segs[i]);
        i += 1;
    }
    let Some(name) = segs.get(i) else { return Some(here) };
    let file = files.get(&here)?;
    if file.defined.contains(name) {
        return Some(here);
    }
    let (_, target, _) = file.uses.iter().find(|(bound, _, _)| bound == name)?;
    resolve(files, &here, target, depth + 1)
}

/// The first cycle of the dependency graph, as the files along it.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|s| s == m).expect("on the stack");
                    let mut c = stack[from..].to_vec();
                    c.push(m.clone());
                    return Some(c);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !state.contains_key(n.as_str()) {
            if let Some(c) = visit(n, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

/// The dependencies between the files of a crate given as (module path, text).
fn dependencies(sources: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let files: BTreeMap<String, File> = sources.iter().map(|(m, t)| (m.clone(), parse(t))).collect();
    let mut edges = BTreeMap::new();
    for (module, file) in &files {
        let deps: &mut BTreeSet<String> = edges.entry(module.clone()).or_default();
        for path in &file.paths {
            if let Some(target) = resolve(&files, module, path, 0) {
                if &target != module {
                    deps.insert(target);
                }
            }
        }
    }
    edges
}

/// The runtime's source files outside `#[cfg(test)] mod x;` declarations, by module path.
fn runtime_sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, module: &str, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            if path.is_dir() {
                walk(&path, &join(module, &stem), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let m = if stem == "mod" || stem == "lib" { module.to_string() } else { join(module, &stem) };
                out.push((m, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), "", &mut out);
    let test_only: BTreeSet<String> = out
        .iter()
        .flat_map(|(m, t)| {
            t.split("#[cfg(test)]\nmod ").skip(1).filter_map(|rest| rest.split_once(';')).map(|(name, _)| join(m, name))
        })
        .collect();
    out.retain(|(m, _)| !test_only.contains(m));
    out
}

#[test]
fn no_file_depends_on_a_file_that_depends_on_it() {
    let edges = dependencies(&runtime_sources());
    assert!(edges.len() > 60, "only {} files found", edges.len());
    // The checker sees the flow: the report is assembled from the counting state, which books
    // through the convention, which reads what the rules report.
    for (from, to) in [
        ("report::assemble", "count::state"),
        ("count::state", "convention::spike"),
        ("convention::exact", "model::call"),
    ] {
        assert!(edges[from].contains(to), "{from} → {to} not seen: {:?}", edges[from]);
    }
    if let Some(c) = cycle(&edges) {
        panic!("a dependency cycle: {}", c.join(" → "));
    }
}

#[test]
fn a_cycle_through_a_re_export_is_found() {
    let sources = [
        ("".to_string(), "mod a;\nmod b;\npub use a::Thing;\n".to_string()),
        ("a".to_string(), "use crate::b::Other;\npub struct Thing(Other);\n".to_string()),
        ("b".to_string(), "pub struct Other;\nfn f() -> crate::Thing { todo!() }\n".to_string()),
    ];
    let edges = dependencies(&sources);
    assert_eq!(edges["b"], BTreeSet::from(["a".to_string()]), "the re-export resolves to its file");
    assert_eq!(cycle(&edges).unwrap(), ["a", "b", "a"]);
    let without = [sources[0].clone(), sources[1].clone(), ("b".into(), "pub struct Other;\n".into())];
    assert!(cycle(&dependencies(&without)).is_none());
}
