// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    // `strato play ...` and `strato decode ...` run headless, without a window.
    if strato_cli::is_cli_command(std::env::args_os().nth(1).as_deref()) {
        return strato_cli::run(std::env::args_os());
    }
    strato_app::run();
    std::process::ExitCode::SUCCESS
}
