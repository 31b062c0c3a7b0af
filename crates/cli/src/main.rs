//! `strato-cli`: the command line alone, without the window's libraries (what the CPU and
//! memory benchmarks measure). The app's own binary answers the same commands.

fn main() -> std::process::ExitCode {
    strato_cli::run(std::env::args_os())
}
