//! The layering rules of `src/`, checked on the source text so they stay true as the code grows:
//! imports point one way, no two files import each other, and no file holds two ideas' worth of
//! lines. A failure names the file and the import that broke the rule.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

/// A module path inside the crate, e.g. `["server", "accounts", "sessions"]`.
type ModulePath = Vec<String>;

const MAX_LINES: usize = 400;

struct SourceFile {
    /// Path relative to `src/`, for messages.
    name: String,
    module: ModulePath,
    text: String,
}

fn source_files() -> Vec<SourceFile> {
    let mut files = Vec::new();
    collect(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path(),
        &mut files,
    );
    files
}

fn collect(dir: &Path, files: &mut Vec<SourceFile>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
            let relative = path.strip_prefix(&src).expect("under src/");
            let mut module: ModulePath = relative
                .with_extension("")
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            files.push(SourceFile {
                name: relative.display().to_string(),
                module,
                text: fs::read_to_string(&path).expect("source is UTF-8"),
            });
        }
    }
}

/// The non-test code of a file without its comments: `#[cfg(test)]` modules may reach anywhere,
/// and a comment naming a module is no import.
fn production_code(text: &str) -> String {
    let code = text.find("#[cfg(test)]").map_or(text, |at| &text[..at]);
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every crate-internal path a file names, resolved to an absolute module path: `use crate::…`
/// (with `{…}` groups expanded), inline `crate::a::b` paths, and `super::…` imports.
fn imports(file: &SourceFile) -> BTreeSet<ModulePath> {
    let code = production_code(&file.text);
    let code = code.as_str();
    let mut found = BTreeSet::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent_of(file))] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let preceded_by_ident = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
            rest = &rest[at + prefix.len()..];
            if preceded_by_ident {
                continue;
            }
            let end = path_end(rest);
            for path in expand(&rest[..end]) {
                let mut absolute = base.clone();
                absolute.extend(path);
                found.insert(absolute);
            }
        }
    }
    found
}

/// The module `super` refers to from this file.
fn parent_of(file: &SourceFile) -> ModulePath {
    // In `a/b.rs` and in `a/b/mod.rs` (both module `a::b`), `super` is `a`.
    let mut parent = file.module.clone();
    parent.pop();
    parent
}

/// Where a path expression starting at `text` ends: at `;` or the end of a balanced `{…}` group.
fn path_end(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            c if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':') => return i,
            _ => {}
        }
    }
    text.len()
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e` (each as a list of names).
fn expand(path: &str) -> Vec<ModulePath> {
    let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = path.find('{') else {
        let names: ModulePath = path
            .split("::")
            .filter(|s| !s.is_empty() && *s != "self")
            .map(str::to_owned)
            .collect();
        return vec![names];
    };
    let head = &path[..open];
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .filter(|item| !item.is_empty())
        .flat_map(|item| expand(&format!("{head}{item}")))
        .collect()
}

fn starts_with(path: &ModulePath, prefix: &[&str]) -> bool {
    path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b)
}

/// True when `path` is one of `modules` (written `server::api`) or inside one.
fn under(path: &ModulePath, modules: &[&str]) -> bool {
    modules
        .iter()
        .any(|module| starts_with(path, &module.split("::").collect::<Vec<_>>()))
}

/// Each file's imports that break `forbidden`, as "file imports path" lines.
fn violations(
    in_scope: impl Fn(&SourceFile) -> bool,
    forbidden: impl Fn(&SourceFile, &ModulePath) -> bool,
) -> Vec<String> {
    source_files()
        .iter()
        .filter(|file| in_scope(file))
        .flat_map(|file| {
            imports(file)
                .into_iter()
                .filter(|path| forbidden(file, path))
                .map(|path| format!("{} imports crate::{}", file.name, path.join("::")))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn domain_imports_nothing_of_the_crate_outside_itself() {
    let found = violations(
        |file| under(&file.module, &["domain"]),
        |_, path| !under(path, &["domain"]),
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn auth_server_functions_import_no_json_routes_and_no_ui() {
    let found = violations(
        |file| under(&file.module, &["auth"]),
        |_, path| under(path, &["server::api", "pages", "components", "app"]),
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn services_import_no_http_routes_state_or_ui() {
    let found = violations(
        |file| under(&file.module, &["server::accounts", "server::badge"]),
        |_, path| {
            let edge = [
                "server::http",
                "server::api",
                "server::state",
                "server::startup",
            ];
            let wire_errors = ["server::error", "error"];
            let ui = ["auth", "pages", "components", "app"];
            under(path, &edge) || under(path, &wire_errors) || under(path, &ui)
        },
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_badge_module_knows_nothing_of_accounts() {
    let found = violations(
        |file| under(&file.module, &["server::badge"]),
        |_, path| under(path, &["server::accounts", "wire"]),
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn shared_code_never_names_server_only_modules_outside_server_function_bodies() {
    // Components and pages compile for the browser too: they may call server functions, never
    // the server's own modules.
    let found = violations(
        |file| {
            let shared = ["components", "pages", "app", "wire", "error", "api_client"];
            under(&file.module, &shared)
        },
        |_, path| under(path, &["server"]),
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_two_files_import_each_other() {
    let files = source_files();
    let modules: BTreeMap<&ModulePath, &str> =
        files.iter().map(|f| (&f.module, f.name.as_str())).collect();
    // An import names the file of its longest module prefix.
    let file_of = |path: &ModulePath| {
        (0..=path.len())
            .rev()
            .find_map(|n| modules.get(&path[..n].to_vec()).copied())
    };
    let edges: BTreeSet<(&str, &str)> = files
        .iter()
        .flat_map(|file| {
            imports(file)
                .into_iter()
                .filter_map(|path| file_of(&path))
                .filter(|target| *target != file.name)
                .map(|target| (file.name.as_str(), target))
                .collect::<Vec<_>>()
        })
        .collect();
    let mutual: Vec<_> = edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(*b, *a)))
        .collect();
    assert!(mutual.is_empty(), "files importing each other: {mutual:#?}");
}

#[test]
fn no_source_file_is_over_400_lines() {
    let long: Vec<_> = source_files()
        .into_iter()
        .map(|f| (f.name, f.text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_LINES)
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

#[test]
fn the_import_reader_expands_groups_and_resolves_super() {
    let file = SourceFile {
        name: "server/http/origin.rs".into(),
        module: vec!["server".into(), "http".into(), "origin".into()],
        text: "use crate::{error::AppError, server::{config::Config, state::AppState}};\n\
               use super::client::client_info;\nfn f() { crate::wire::Hello::to(); }"
            .into(),
    };
    let names: BTreeSet<String> = imports(&file).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        names,
        BTreeSet::from(
            [
                "error::AppError",
                "server::config::Config",
                "server::state::AppState",
                "server::http::client::client_info",
                "wire::Hello::to",
            ]
            .map(String::from)
        )
    );
}

/// The non-test code of the file at `name` (relative to `src/`).
fn production_code_of(files: &[SourceFile], name: &str) -> String {
    let file = files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("src/{name} is missing"));
    production_code(&file.text)
}

/// The files whose non-test code contains `needle`.
fn files_containing(files: &[SourceFile], needle: &str) -> Vec<String> {
    files
        .iter()
        .filter(|f| production_code(&f.text).contains(needle))
        .map(|f| f.name.clone())
        .collect()
}

#[test]
fn sessions_are_stored_and_their_proof_made_only_by_the_door() {
    let files = source_files();
    assert_eq!(
        files_containing(&files, "sessions::create("),
        ["server/accounts/door.rs"]
    );
    // Only the door makes an `OpenedSession`, the one value `start_session` accepts.
    assert_eq!(
        files_containing(&files, "OpenedSession {"),
        ["server/accounts/door.rs"]
    );
    assert!(production_code_of(&files, "server/accounts/door.rs").contains("token: SessionToken"));
}

#[test]
fn the_session_cookie_is_set_only_for_a_session_the_door_opened() {
    let files = source_files();
    // `start_session(&OpenedSession, …)` is the one setter; the cookie's own module refreshes
    // the Max-Age of a session that exists.
    assert_eq!(
        files_containing(&files, "session_cookie.set("),
        ["server/http/server_fn.rs"]
    );
    assert!(production_code_of(&files, "server/http/server_fn.rs")
        .contains("pub fn start_session(&self, opened: &OpenedSession"));
}

#[test]
fn the_routes_that_open_sessions_all_pass_through_the_door() {
    let files = source_files();
    let mut opening = BTreeSet::new();
    for file in files
        .iter()
        .filter(|f| f.module.first().is_some_and(|m| m == "auth"))
    {
        for server_fn in production_code(&file.text).split("#[server(prefix").skip(1) {
            let endpoint = server_fn
                .split("endpoint = \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| {
                    panic!("a server function without an endpoint in {}", file.name)
                });
            if server_fn.contains("start_session(") {
                opening.insert(format!("POST /api/auth/{endpoint}"));
            }
        }
    }
    // Besides the server functions, one navigation opens sessions: an external provider's
    // callback, through `set_session_cookie` (which, like `start_session`, takes only what the
    // door opened).
    let mut setters = files_containing(&files, "set_session_cookie(");
    setters.sort();
    assert_eq!(setters, ["server/api/oidc.rs", "server/http/server_fn.rs"]);
    assert!(production_code_of(&files, "server/http/server_fn.rs")
        .contains("pub fn set_session_cookie(state: &AppState, cookies: &Cookies, opened: &OpenedSession)"));
    // A new way in (a passkey, an external provider, a second factor) adds its route here, and
    // can only reach `start_session` with what the door gave it.
    assert_eq!(
        opening.into_iter().collect::<Vec<_>>(),
        [
            "POST /api/auth/passkey/sign-in",
            "POST /api/auth/sign-in",
            "POST /api/auth/sign-up",
            "POST /api/auth/two-factor/verify"
        ]
    );
}
