//! The layers of the core crate, bottom first. A module may import from the layers below its
//! own and from nowhere else: not from a layer above, and not from another module of its own
//! layer (so no two modules can ever import each other). The test here reads every source file
//! under `src/` and fails on an import that breaks the rule, or on a module the list does not
//! place; the README's architecture section prints the same list.

/// Bottom first. A new top-level module goes into the lowest layer its imports allow.
pub const LAYERS: &[&[&str]] = &[
    &["domain"],
    &["config"],
    &["telemetry", "tls"],
    &["http"],
    &["twilio", "meta", "whatsapp", "google"],
    &["store"],
    &["queue", "blob"],
    &["jobs"],
    &["app"],
    &["messaging", "dial"],
    &["alerts", "api", "booking", "inbox", "voice"],
    &["phone"],
    &["handlers", "worker"],
    &["routes"],
    &["lambda"],
];

/// The layer a top-level module is in.
pub fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The list as the README writes it: `domain` < `config` < `telemetry`, `tls` < …
pub fn as_text() -> String {
    LAYERS
        .iter()
        .map(|layer| {
            layer
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect::<Vec<_>>()
        .join(" < ")
}

/// An import the layering forbids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub file: String,
    pub line: usize,
    pub from: String,
    pub to: String,
}

/// The module path of a source file under `src/`: `store/dynamodb/calls.rs` is
/// `[store, dynamodb, calls]`, `store/mod.rs` is `[store]`, `lib.rs` is `[]`.
fn module_path(file: &str) -> Vec<String> {
    let trimmed = file.trim_end_matches(".rs");
    let mut segments: Vec<String> = trimmed.split('/').map(str::to_string).collect();
    if matches!(
        segments.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segments.pop();
    }
    segments
}

/// Every top-level module a line of code names, through `crate::…` (braced lists included) or
/// through `super::` chains that climb to the crate root. Comments are skipped.
fn referenced_modules(module: &[String], line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or_default();
    let mut found = Vec::new();
    for (start, _) in code.match_indices("crate::") {
        let preceded_by_ident = code[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        if preceded_by_ident {
            continue;
        }
        let rest = &code[start + "crate::".len()..];
        if let Some(braced) = rest.strip_prefix('{') {
            let inner = braced.split('}').next().unwrap_or_default();
            found.extend(inner.split(',').filter_map(|item| first_ident(item.trim())));
        } else if let Some(name) = first_ident(rest) {
            found.push(name);
        }
    }
    for (start, _) in code.match_indices("super::") {
        let before = &code[..start];
        if before.ends_with("super::")
            || before.ends_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let mut rest = &code[start..];
        let mut climbs = 0;
        while let Some(after) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = after;
        }
        // A file's own module is its path; `super` from `a/b.rs` (module a::b) is `a`.
        if climbs >= module.len() {
            if let Some(name) = first_ident(rest) {
                found.push(name);
            }
        }
    }
    found
}

fn first_ident(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

/// The forbidden imports of the source file `file` (a path under `src/`).
pub fn check(file: &str, source: &str) -> Vec<Violation> {
    let module = module_path(file);
    let Some(own) = module.first() else {
        return Vec::new(); // lib.rs declares the modules; it imports nothing.
    };
    let own_layer = layer_of(own);
    let mut violations = Vec::new();
    for (index, line) in source.lines().enumerate() {
        for target in referenced_modules(&module, line) {
            if &target == own {
                continue;
            }
            let allowed = match (own_layer, layer_of(&target)) {
                (Some(from), Some(to)) => to < from,
                // Not a module of this crate (a macro, `crate::` in a string) or unplaced.
                (_, None) => continue,
                (None, Some(_)) => false,
            };
            if !allowed {
                violations.push(Violation {
                    file: file.to_string(),
                    line: index + 1,
                    from: own.clone(),
                    to: target,
                });
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }

    fn src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    #[test]
    fn every_import_points_down_the_layers() {
        let mut files = Vec::new();
        sources(&src(), &src(), &mut files);
        assert!(files.len() > 50, "read {} files", files.len());
        let violations: Vec<_> = files
            .iter()
            // This file's synthetic sources import upwards on purpose.
            .filter(|(file, _)| file != "layers.rs")
            .flat_map(|(file, source)| check(file, source))
            .collect();
        assert!(
            violations.is_empty(),
            "imports that point up (or sideways) the layers {}:\n{}",
            as_text(),
            violations
                .iter()
                .map(|v| format!("  {}:{}: {} imports {}", v.file, v.line, v.from, v.to))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn every_top_level_module_has_a_layer_and_every_layer_a_module() {
        let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
        let declared: Vec<&str> = lib
            .lines()
            .filter_map(|l| l.trim().strip_prefix("pub mod "))
            .map(|l| l.trim_end_matches(';'))
            .collect();
        for module in &declared {
            assert!(
                layer_of(module).is_some(),
                "module `{module}` has no layer: add it to LAYERS in src/layers.rs"
            );
        }
        for module in LAYERS.iter().flat_map(|l| l.iter()) {
            assert!(
                declared.contains(module),
                "LAYERS names `{module}`, which lib.rs does not declare"
            );
        }
    }

    #[test]
    fn the_readme_lists_the_layers_in_this_order() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
                .unwrap();
        assert!(
            readme.contains(&as_text()),
            "README.md's architecture section must list the layers as:\n{}",
            as_text()
        );
    }

    #[test]
    fn an_import_up_the_layers_is_caught() {
        let source = "\
//! A store that reaches for the app: forbidden.
use crate::domain::Call;
use crate::app::App;
use crate::{config::Secret, handlers};
// use crate::routes; (a comment is not an import)
fn f() { let _ = crate::lambda::run; }
";
        let found: Vec<_> = check("store/calls.rs", source)
            .into_iter()
            .map(|v| (v.line, v.to))
            .collect();
        assert_eq!(
            found,
            [
                (3, "app".to_string()),
                (4, "handlers".to_string()),
                (6, "lambda".to_string())
            ]
        );
    }

    #[test]
    fn a_sideways_import_and_a_climbing_super_are_caught() {
        // `twilio` and `meta` share a layer: neither may import the other.
        let sideways = check("twilio/webhook.rs", "use crate::meta::signature;\n");
        assert_eq!(sideways.len(), 1);
        // From `queue/sqs.rs`, `super::super::app` is the top-level `app`.
        let climbing = check(
            "queue/sqs.rs",
            "use super::super::app::App;\nuse super::QueueName;\n",
        );
        assert_eq!(
            climbing,
            [Violation {
                file: "queue/sqs.rs".into(),
                line: 1,
                from: "queue".into(),
                to: "app".into()
            }]
        );
        // Imports down the layers pass.
        assert!(check(
            "handlers/gather.rs",
            "use crate::voice::thanks;\nuse crate::app::App;\n"
        )
        .is_empty());
    }
}
