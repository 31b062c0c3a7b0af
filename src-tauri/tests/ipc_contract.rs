//! The contract between the UI and the shell, read from both sides' source:
//!
//! - `ui/src/ipc/commands.ts` is generated here from the `#[tauri::command]` signatures
//!   (names; arguments as Tauri names them in the payload, camelCase by default; argument
//!   and result types as the ts-rs names of `ui/src/ipc/bindings.ts`). `transport.ts` types its
//!   `call` by it, so the UI's lint fails on a command, an argument or a type the shell does
//!   not have. The test fails when the file is stale: `UPDATE_BINDINGS=1 cargo test -p
//!   strato-app --test ipc_contract` rewrites it, as `crates/model` does for `bindings.ts`.
//! - The main window's capability allows exactly the commands the UI calls, and those are
//!   exactly the shell's commands, each with its generated permission.

// The handler paths are the build script's business; this test reads the signatures.
#[allow(dead_code)]
#[path = "../contract.rs"]
mod contract;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use contract::{ArgumentCase, Command};
use heck::{ToLowerCamelCase, ToSnakeCase};

/// The only core permissions the UI needs: `listen` and its `unlisten` (`ui/src/ipc`'s
/// `subscribe`). Everything else of `core:` stays out.
const CORE_PERMISSIONS: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

fn shell_dir() -> PathBuf {
    strato_testkit::workspace_root().join("src-tauri")
}

fn ipc_dir() -> PathBuf {
    shell_dir().join("../ui/src/ipc")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn commands() -> Vec<Command> {
    contract::read_commands(&shell_dir().join("src")).unwrap_or_else(|e| panic!("{e}"))
}

/// `allow-sign-in` for `sign_in`, as tauri-build names the generated permission.
fn allow_permission(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

/// Where a type appears: arguments accept read-only arrays (the UI passes `readonly T[]`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Argument,
    Result,
}

/// Maps Rust types to TypeScript, naming only what `bindings.ts` declares.
struct TypeMapper {
    declared: BTreeSet<String>,
    /// The bindings' types used, for the import line.
    used: BTreeSet<String>,
}

impl TypeMapper {
    fn new(bindings: &str) -> Self {
        let declared = bindings
            .lines()
            .filter_map(|line| line.strip_prefix("export type "))
            .map(|rest| {
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        Self {
            declared,
            used: BTreeSet::new(),
        }
    }

    fn ts(&mut self, ty: &syn::Type, position: Position) -> Result<String, String> {
        match ty {
            syn::Type::Reference(reference) => self.ts(&reference.elem, position),
            syn::Type::Tuple(tuple) if tuple.elems.is_empty() => Ok("void".into()),
            syn::Type::Path(path) if path.qself.is_none() => {
                let last = path.path.segments.last().ok_or("an empty type path")?;
                let name = last.ident.to_string();
                let params = generic_types(last);
                match (name.as_str(), params.as_slice()) {
                    ("String" | "str" | "char", []) => Ok("string".into()),
                    ("bool", []) => Ok("boolean".into()),
                    (
                        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64"
                        | "isize" | "f32" | "f64",
                        [],
                    ) => Ok("number".into()),
                    ("Option", [inner]) => Ok(format!("{} | null", self.ts(inner, position)?)),
                    ("Vec", [inner]) => {
                        let inner = self.ts(inner, position)?;
                        Ok(match position {
                            Position::Argument => format!("ReadonlyArray<{inner}>"),
                            Position::Result => format!("Array<{inner}>"),
                        })
                    }
                    _ if self.declared.contains(&name) => {
                        self.used.insert(name.clone());
                        if params.is_empty() {
                            return Ok(name);
                        }
                        let params = params
                            .iter()
                            .map(|p| self.ts(p, position))
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok(format!("{name}<{}>", params.join(", ")))
                    }
                    _ => Err(format!(
                        "`{name}` has no TypeScript name: declare it in crates/model's \
                         bindings (ui/src/ipc/bindings.ts) or map it in this test"
                    )),
                }
            }
            _ => Err("a type this test cannot name in TypeScript".into()),
        }
    }

    /// A command's result: the `Ok` of a `Result` whose error is `AppError` (the UI's
    /// `call` rejects with that), or the plain return type.
    fn result(&mut self, output: &syn::ReturnType) -> Result<String, String> {
        let syn::ReturnType::Type(_, ty) = output else {
            return Ok("void".into());
        };
        if let syn::Type::Path(path) = ty.as_ref()
            && let Some(last) = path.path.segments.last()
            && last.ident == "Result"
        {
            let [ok, error] = generic_types(last)[..] else {
                return Err("a Result without its two types".into());
            };
            let error_is_app_error = matches!(error, syn::Type::Path(p)
                if p.path.segments.last().is_some_and(|s| s.ident == "AppError"));
            if !error_is_app_error {
                return Err("errors must reach the UI as AppError ({kind, message})".into());
            }
            return self.ts(ok, Position::Result);
        }
        self.ts(ty, Position::Result)
    }
}

fn generic_types(segment: &syn::PathSegment) -> Vec<&syn::Type> {
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The argument's key in the IPC payload, renamed as `#[tauri::command]` renames it.
fn payload_key(name: &str, case: ArgumentCase) -> String {
    match case {
        ArgumentCase::Camel => name.to_lower_camel_case(),
        ArgumentCase::Snake => name.to_snake_case(),
    }
}

/// `ui/src/ipc/commands.ts` for `commands`.
fn typescript_commands(commands: &[Command], bindings: &str) -> String {
    let mut mapper = TypeMapper::new(bindings);
    let mut entries = String::new();
    for command in commands {
        let context = |e: String| {
            format!(
                "{}: command `{}`: {e}",
                command.file.display(),
                command.name
            )
        };
        let mut args = Vec::new();
        for arg in command.args.iter().filter(|a| !a.is_injected()) {
            let ty = mapper
                .ts(&arg.ty, Position::Argument)
                .unwrap_or_else(|e| panic!("{}", context(e)));
            args.push(format!("{}: {ty}", payload_key(&arg.name, command.case)));
        }
        let args = if args.is_empty() {
            "null".to_owned()
        } else {
            format!("{{ {} }}", args.join("; "))
        };
        let result = mapper
            .result(&command.output)
            .unwrap_or_else(|e| panic!("{}", context(e)));
        writeln!(
            entries,
            "  {}: {{ args: {args}; result: {result} }};",
            command.name
        )
        .expect("writing to a String");
    }
    let imports: Vec<&str> = mapper.used.iter().map(String::as_str).collect();
    format!(
        "// Generated from the #[tauri::command] functions in src-tauri/src by\n\
         // `UPDATE_BINDINGS=1 cargo test -p strato-app --test ipc_contract`. Do not edit by hand.\n\
         \n\
         import type {{ {} }} from \"./bindings\";\n\
         \n\
         /**\n \
         * Every command of the shell: its arguments as the IPC payload names them (`null`: none)\n \
         * and what it answers. A failing command rejects with an `AppError`.\n \
         */\n\
         export type Commands = {{\n{entries}}};\n",
        imports.join(", ")
    )
}

/// The names in every `call("...")` of the modules of `ui/src/ipc` (not their tests, nor
/// the generated files).
fn ui_ipc_sources() -> String {
    let mut sources = String::new();
    let mut files: Vec<_> = std::fs::read_dir(ipc_dir())
        .expect("ui/src/ipc is there")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            path.extension().is_some_and(|ext| ext == "ts")
                && !name.ends_with(".test.ts")
                && !matches!(name, "bindings.ts" | "commands.ts")
        })
        .collect();
    files.sort();
    for file in files {
        sources.push_str(&read(&file));
    }
    sources
}

/// The names in every `call("...")` of `sources`.
fn commands_the_ui_calls(sources: &str) -> BTreeSet<String> {
    sources
        .split("call(\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(name, _)| name.to_owned()))
        .collect()
}

#[test]
fn committed_commands_ts_is_fresh() {
    let generated = typescript_commands(&commands(), &read(&ipc_dir().join("bindings.ts")));
    let path = ipc_dir().join("commands.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write commands.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale; regenerate with `UPDATE_BINDINGS=1 cargo test -p strato-app --test \
         ipc_contract`",
        path.display()
    );
}

#[test]
fn the_ui_calls_exactly_the_shells_commands() {
    let defined: BTreeSet<String> = commands().into_iter().map(|c| c.name).collect();
    let called = commands_the_ui_calls(&ui_ipc_sources());
    let missing: Vec<_> = called.difference(&defined).collect();
    assert!(
        missing.is_empty(),
        "the UI calls commands the shell lacks: {missing:?}"
    );
    let unused: Vec<_> = defined.difference(&called).collect();
    assert!(
        unused.is_empty(),
        "commands no UI code calls (remove them, or call them from ui/src/ipc): {unused:?}"
    );
}

#[test]
fn the_app_s_windows_are_allowed_exactly_the_commands_and_events_they_use() {
    let path = shell_dir().join("capabilities/default.json");
    let capability: serde_json::Value =
        serde_json::from_str(&read(&path)).expect("capabilities/default.json is JSON");
    // The main window and the mini-player: one page, so one set of commands.
    assert_eq!(capability["windows"], serde_json::json!(["main", "mini"]));
    assert!(
        capability.get("webviews").is_none() && capability.get("remote").is_none(),
        "the capability must not reach other webviews or remote pages: {capability}"
    );
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .map(|p| p.as_str().expect("permissions named plainly").to_owned())
        .collect();
    let called = commands_the_ui_calls(&ui_ipc_sources());
    let expected: BTreeSet<String> = called
        .iter()
        .map(|c| allow_permission(c))
        .chain(CORE_PERMISSIONS.iter().map(|p| (*p).to_owned()))
        .collect();
    assert_eq!(
        granted.difference(&expected).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "granted but not needed"
    );
    assert_eq!(
        expected.difference(&granted).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "needed but not granted"
    );
}

#[test]
fn every_command_has_its_generated_permissions() {
    let dir = shell_dir().join("permissions/autogenerated");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (the build script writes it)", dir.display()))
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let expected: BTreeSet<String> = commands()
        .iter()
        .map(|c| format!("{}.toml", c.name))
        .collect();
    assert_eq!(files, expected);
    for command in commands() {
        let toml = read(&dir.join(format!("{}.toml", command.name)));
        assert!(
            toml.contains(&format!(
                "identifier = \"{}\"",
                allow_permission(&command.name)
            )) && toml.contains(&format!("commands.allow = [\"{}\"]", command.name)),
            "{}: {toml}",
            command.name
        );
    }
}

#[test]
fn arguments_are_named_as_tauri_names_them() {
    let commands = commands();
    let sign_in = commands
        .iter()
        .find(|c| c.name == "sign_in")
        .expect("sign_in");
    let keys: Vec<String> = sign_in
        .args
        .iter()
        .filter(|a| !a.is_injected())
        .map(|a| payload_key(&a.name, sign_in.case))
        .collect();
    assert_eq!(keys, ["serviceUrl", "username", "password", "staySignedIn"]);
    let generated = typescript_commands(&commands, &read(&ipc_dir().join("bindings.ts")));
    assert!(
        generated.contains(
            "  play_queue: { args: { trackIds: ReadonlyArray<string>; start: number }; \
             result: void };\n"
        ),
        "{generated}"
    );
    assert!(
        generated.contains(
            "  catalog_tracks: { args: { cursor: string | null; limit: number | null }; \
             result: CatalogPage };\n"
        ),
        "{generated}"
    );
}
