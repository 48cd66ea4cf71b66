//! `completions SHELL` and `man`: the shell completion script and the manual page, generated
//! from the same argument definitions as `--help`.

use std::io::Write as _;
use std::process::ExitCode;

use clap::CommandFactory as _;
use clap_complete::Shell;

use super::Cli;

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    shell: Shell,
}

/// Arguments of `man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The manual page of this subcommand (e.g. `check`) instead of the tool's.
    subcommand: Option<String>,
}

/// Write the completion script to standard output, e.g.
/// `batch-autoscale completions bash > ~/.local/share/bash-completion/completions/batch-autoscale`.
pub fn run_completions(args: CompletionsArgs) -> ExitCode {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "batch-autoscale", &mut script);
    write_out(&script)
}

/// Write the manual page (roff) to standard output, e.g. `batch-autoscale man | man -l -`.
pub fn run_man(args: ManArgs) -> ExitCode {
    let mut command = Cli::command();
    command.build();
    let page = match &args.subcommand {
        None => command,
        Some(name) => match command.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
                let hint = crate::builtins::closest(name, names.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                errln!("error: `{name}` is not a subcommand{hint} (one of {})", names.join(", "));
                return ExitCode::from(2);
            }
        },
    };
    let mut roff = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut roff) {
        errln!("error: writing the manual page: {e}");
        return ExitCode::from(2);
    }
    write_out(&roff)
}

/// Write `bytes` to standard output; a closed pipe is not an error.
fn write_out(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            errln!("error: writing to standard output: {e}");
            ExitCode::from(2)
        }
    }
}
