// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    #[cfg(target_os = "linux")]
    strato_app::settle_certificate_paths();
    // `strato play ...` and `strato decode ...` run headless, without a window.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if strato_cli::is_cli_command(args.get(1).map(std::ffi::OsString::as_os_str)) {
        // `strato play ITEMS` with a Strato window open plays there.
        if let Some(handed_over) = strato_app::hand_over_play(&args) {
            return handed_over;
        }
        return strato_cli::run(args);
    }
    strato_app::run();
    std::process::ExitCode::SUCCESS
}
