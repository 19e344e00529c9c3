//! The shape of the code, checked. Layers are crates, so the compiler refuses a wrong import;
//! what is left to check here is that the crates' manifests are the layer diagram of
//! ARCHITECTURE.md (nobody adds `satui-store` to a front-end's dependencies), that no two sibling
//! modules inside a crate import each other round a circle, and that SQL stays in the store.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module as a path from the workspace: the crate's layer name, then the modules in it:
/// `["tui", "form", "kinds"]` is `crates/satui-tui/src/form/kinds.rs`; the root crate (the CLI)
/// is `[]`.
type ModPath = Vec<String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Each crate's source folder with the layer name its modules start with.
fn crate_sources() -> Vec<(ModPath, PathBuf)> {
    let mut out = vec![(Vec::new(), root().join("src"))];
    for layer in LAYERS {
        out.push((vec![layer.to_string()], root().join(format!("crates/satui-{layer}/src"))));
    }
    out
}

/// The workspace's layer crates (`crates/satui-NAME`).
const LAYERS: [&str; 6] = ["domain", "store", "service", "scan", "server", "tui"];

/// Every library module with its source text (`main.rs` is the binary, not part of the graph).
fn modules() -> BTreeMap<ModPath, String> {
    fn walk(dir: &Path, prefix: &ModPath, out: &mut BTreeMap<ModPath, String>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                let mut next = prefix.clone();
                next.push(name);
                walk(&path, &next, out);
            } else if path.extension().is_some_and(|e| e == "rs") && name != "main" {
                let mut module = prefix.clone();
                if name != "mod" && name != "lib" {
                    module.push(name);
                }
                out.insert(module, std::fs::read_to_string(&path).expect("read module"));
            }
        }
    }
    let mut out = BTreeMap::new();
    for (prefix, dir) in crate_sources() {
        walk(&dir, &prefix, &mut out);
    }
    out
}

/// The modules a source text refers to, resolved to paths from the crate root. Comments are
/// skipped; `crate::a::b`, `super::a` and `self::a` are followed, and so are plain `a::` paths
/// and `use a::{..}` when `a` is a sibling module.
fn references(module: &ModPath, text: &str, known: &BTreeSet<ModPath>) -> BTreeSet<ModPath> {
    let parent: ModPath = module[..module.len().saturating_sub(1)].to_vec();
    let is_dir_module = known.iter().any(|m| m.len() > module.len() && m.starts_with(module));
    // Inside `a/mod.rs`, `super` is a's parent and children are reached as `self::x` or `x`.
    let (base_for_super, base_for_self) =
        if is_dir_module { (parent.clone(), module.clone()) } else { (parent.clone(), parent.clone()) };
    let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| format!("{l}\n")).collect();
    let mut found = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut resolve = |start: ModPath, rest: &str| {
        let mut path = start;
        for segment in rest.split("::") {
            let segment = ident(segment.trim_start_matches('{').trim());
            if segment.is_empty() {
                break;
            }
            let mut next = path.clone();
            next.push(segment);
            if known.contains(&next) {
                path = next;
            } else {
                break;
            }
        }
        if known.contains(&path) && &path != module && !module.starts_with(&path) {
            found.insert(path);
        }
    };
    // `crate::` is the module's own crate: the first segment of its path (none for the root).
    let crate_root: ModPath = module
        .first()
        .filter(|first| LAYERS.contains(&first.as_str()))
        .map(|first| vec![first.clone()])
        .unwrap_or_default();
    for (i, _) in code.match_indices("crate::") {
        resolve(crate_root.clone(), &code[i + "crate::".len()..]);
    }
    for (i, _) in code.match_indices("super::") {
        // `super::super::x` climbs twice.
        let mut base = base_for_super.clone();
        let mut rest = &code[i + "super::".len()..];
        while let Some(r) = rest.strip_prefix("super::") {
            base.pop();
            rest = r;
        }
        if i >= 7 && &code[i - 7..i] == "super::" {
            continue;
        }
        // A `use super::{a, b::c}` group names several siblings.
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                resolve(base.clone(), item.trim());
            }
        } else {
            resolve(base, rest);
        }
    }
    for (i, _) in code.match_indices("self::") {
        resolve(base_for_self.clone(), &code[i + "self::".len()..]);
    }
    found
}

fn graph() -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let modules = modules();
    let known: BTreeSet<ModPath> = modules.keys().cloned().collect();
    modules.iter().map(|(m, text)| (m.clone(), references(m, text, &known))).collect()
}

/// The edges between siblings: `a → b` when something in `a` (or below it) uses `b` (or below
/// it), for modules `a` and `b` with the same parent.
fn sibling_edges(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (from, targets) in graph {
        for to in targets {
            let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                let a = from[..=common].to_vec();
                let b = to[..=common].to_vec();
                edges.entry(a).or_default().insert(b);
            }
        }
    }
    edges
}

fn find_cycle(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Option<Vec<ModPath>> {
    fn visit(
        node: &ModPath,
        edges: &BTreeMap<ModPath, BTreeSet<ModPath>>,
        stack: &mut Vec<ModPath>,
        done: &mut BTreeSet<ModPath>,
    ) -> Option<Vec<ModPath>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(node.clone());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.clone());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

fn show(path: &ModPath) -> String {
    path.join("::")
}

#[test]
fn no_two_sibling_modules_depend_on_each_other_in_a_circle() {
    let edges = sibling_edges(&graph());
    // The check sees real edges (so an empty graph cannot pass by accident).
    let tui: ModPath = vec!["tui".into(), "update".into()];
    assert!(edges.keys().any(|m| m.first().is_some_and(|f| f == "store")), "the store's modules are read");
    assert!(edges.get(&tui).is_some_and(|e| e.contains(&vec!["tui".into(), "nav".into()])), "{edges:?}");
    if let Some(cycle) = find_cycle(&edges) {
        panic!("module cycle: {}", cycle.iter().map(show).collect::<Vec<_>>().join(" → "));
    }
}

#[test]
fn the_crates_depend_on_each_other_as_the_layer_diagram_says() {
    // ARCHITECTURE.md: satui (cli) → {tui, server, scan} → service → {domain, store}.
    let expected: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::from([
        ("satui", BTreeSet::from(["satui-domain", "satui-service", "satui-scan", "satui-server", "satui-tui"])),
        ("satui-domain", BTreeSet::new()),
        ("satui-store", BTreeSet::from(["satui-domain"])),
        ("satui-service", BTreeSet::from(["satui-domain", "satui-store"])),
        ("satui-scan", BTreeSet::from(["satui-domain", "satui-service"])),
        ("satui-server", BTreeSet::from(["satui-domain", "satui-service"])),
        ("satui-tui", BTreeSet::from(["satui-domain", "satui-service"])),
    ]);
    let mut found = BTreeMap::new();
    let manifests = std::iter::once(root().join("Cargo.toml"))
        .chain(LAYERS.iter().map(|layer| root().join(format!("crates/satui-{layer}/Cargo.toml"))));
    for manifest in manifests {
        let text = std::fs::read_to_string(&manifest).unwrap();
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let name = doc["package"]["name"].as_str().unwrap().to_string();
        // Only what the code itself may use: [dependencies] (tests may look at the store).
        let inner: BTreeSet<String> = doc
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|d| d.keys().filter(|k| k.starts_with("satui")).cloned().collect())
            .unwrap_or_default();
        found.insert(name, inner);
    }
    let found: BTreeMap<&str, BTreeSet<&str>> =
        found.iter().map(|(k, v)| (k.as_str(), v.iter().map(String::as_str).collect())).collect();
    assert_eq!(found, expected);
}

#[test]
fn sql_lives_only_in_the_store() {
    let mut wrong = Vec::new();
    for (module, text) in modules() {
        let top = module.first().map(String::as_str).unwrap_or("");
        if top == "store" {
            continue;
        }
        for needle in ["SELECT ", "INSERT ", "DELETE FROM", "UPDATE ", ".execute(", ".query_row("] {
            if text.lines().any(|l| !l.trim_start().starts_with("//") && l.contains(needle)) {
                wrong.push(format!("{} contains {needle:?}", show(&module)));
            }
        }
    }
    assert!(wrong.is_empty(), "SQL outside crates/satui-store:\n{}", wrong.join("\n"));
}
