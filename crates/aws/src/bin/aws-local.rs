//! `aws-local`: devcloud with the contract in its AWS form, for tests (see
//! [`strato_aws::local`]). It takes devcloud's command line, so whatever starts devcloud can
//! start it.

use anyhow::Context as _;
use clap::Parser as _;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = strato_devcloud::Args::parse();
    strato_devcloud::run_in(
        args,
        strato_devcloud::server::shutdown_signal(),
        &strato_aws::local::AwsLocalHome,
    )
    .await
    .context("aws-local failed")
}
