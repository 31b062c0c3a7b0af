//! The shell's IPC commands as they are written: every `#[tauri::command]` function under
//! `src/`, read with `syn`. This is the one list of commands. The build script registers them
//! (`generate_handler!`) and gives each its `allow-`/`deny-` permission (the app manifest);
//! the contract test (`tests/ipc_contract.rs`) checks the capability and the UI against it
//! and writes `ui/src/ipc/commands.ts` from the signatures.
//!
//! Shared by `build.rs` and the test through `#[path]`, so both read the source the same way.

use std::path::{Path, PathBuf};

/// One `#[tauri::command]` function.
pub struct Command {
    /// The function's name: the name the UI invokes.
    pub name: String,
    /// The module it is declared in, from the crate root (`["commands"]`).
    pub module: Vec<String>,
    /// How Tauri names the arguments in the IPC payload.
    pub case: ArgumentCase,
    /// Every argument, injected ones (`State`, `AppHandle`, ...) included.
    pub args: Vec<Argument>,
    pub output: syn::ReturnType,
    /// The source file, for messages.
    pub file: PathBuf,
}

/// A command's argument as declared.
pub struct Argument {
    /// The Rust name, before Tauri's renaming.
    pub name: String,
    pub ty: syn::Type,
}

/// `#[tauri::command(rename_all = "...")]`: Tauri's default is camelCase.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ArgumentCase {
    Camel,
    Snake,
}

impl Command {
    /// The path `generate_handler!` needs, from the crate root.
    pub fn path(&self) -> String {
        let mut path = self.module.join("::");
        if !path.is_empty() {
            path.push_str("::");
        }
        path.push_str(&self.name);
        path
    }
}

/// Argument types Tauri fills in itself rather than reading from the payload.
const INJECTED_TYPES: &[&str] = &[
    "State",
    "AppHandle",
    "Window",
    "Webview",
    "WebviewWindow",
    "Request",
];

impl Argument {
    /// Whether Tauri provides this argument (it is not part of the IPC payload).
    pub fn is_injected(&self) -> bool {
        match &self.ty {
            syn::Type::Path(path) => path
                .path
                .segments
                .last()
                .is_some_and(|last| INJECTED_TYPES.contains(&last.ident.to_string().as_str())),
            _ => false,
        }
    }
}

/// Every command in the library crate under `src_dir`, in file order (paths sorted), then in
/// source order. `main.rs` is the binary's, not the library's, and is skipped.
pub fn read_commands(src_dir: &Path) -> Result<Vec<Command>, String> {
    let mut files = Vec::new();
    rust_files(src_dir, &mut files)?;
    files.sort();
    let mut commands = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src_dir).unwrap_or(&file);
        if relative == Path::new("main.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&file)
            .map_err(|e| format!("reading {}: {e}", file.display()))?;
        let parsed =
            syn::parse_file(&source).map_err(|e| format!("parsing {}: {e}", file.display()))?;
        let module = module_path(relative);
        collect(&parsed.items, &module, &file, &mut commands)?;
    }
    let mut names = std::collections::HashSet::new();
    for command in &commands {
        if !names.insert(command.name.as_str()) {
            return Err(format!(
                "two commands are named `{}`; the UI invokes commands by name alone",
                command.name
            ));
        }
    }
    Ok(commands)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// `lib.rs` -> [], `commands.rs` -> [commands], `a/mod.rs` -> [a], `a/b.rs` -> [a, b].
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("lib" | "mod")) {
        parts.pop();
    }
    parts
}

fn collect(
    items: &[syn::Item],
    module: &[String],
    file: &Path,
    out: &mut Vec<Command>,
) -> Result<(), String> {
    for item in items {
        match item {
            syn::Item::Fn(function) => {
                if let Some(attr) = function.attrs.iter().find(|a| is_command_attribute(a)) {
                    out.push(command(function, attr, module, file)?);
                }
            }
            syn::Item::Mod(inline) => {
                if let Some((_, items)) = &inline.content {
                    let mut inner = module.to_vec();
                    inner.push(inline.ident.to_string());
                    collect(items, &inner, file, out)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn is_command_attribute(attr: &syn::Attribute) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments == ["tauri", "command"]
}

fn command(
    function: &syn::ItemFn,
    attr: &syn::Attribute,
    module: &[String],
    file: &Path,
) -> Result<Command, String> {
    let name = function.sig.ident.to_string();
    let case =
        argument_case(attr).map_err(|e| format!("{}: command `{name}`: {e}", file.display()))?;
    let mut args = Vec::new();
    for input in &function.sig.inputs {
        let syn::FnArg::Typed(typed) = input else {
            return Err(format!("{}: command `{name}` takes `self`", file.display()));
        };
        let syn::Pat::Ident(ident) = typed.pat.as_ref() else {
            return Err(format!(
                "{}: command `{name}`: name every argument plainly (no patterns)",
                file.display()
            ));
        };
        args.push(Argument {
            name: ident.ident.to_string(),
            ty: (*typed.ty).clone(),
        });
    }
    Ok(Command {
        name,
        module: module.to_vec(),
        case,
        args,
        output: function.sig.output.clone(),
        file: file.to_path_buf(),
    })
}

/// Reads `rename_all` from `#[tauri::command(...)]`; anything else it might say (a renamed
/// command, another root) would make the names read here wrong, so it is refused.
fn argument_case(attr: &syn::Attribute) -> Result<ArgumentCase, String> {
    if matches!(attr.meta, syn::Meta::Path(_)) {
        return Ok(ArgumentCase::Camel);
    }
    let mut case = ArgumentCase::Camel;
    attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("rename_all") {
            let value: syn::LitStr = meta.value()?.parse()?;
            case = match value.value().as_str() {
                "camelCase" => ArgumentCase::Camel,
                "snake_case" => ArgumentCase::Snake,
                other => return Err(meta.error(format!("unknown rename_all {other:?}"))),
            };
            Ok(())
        } else if meta.path.is_ident("async") {
            Ok(())
        } else {
            Err(meta.error("only `rename_all` and `async` are understood here"))
        }
    })
    .map_err(|e| e.to_string())?;
    Ok(case)
}
