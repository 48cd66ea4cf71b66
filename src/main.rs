//! The `batch-autoscale` command-line tool: a thin layer over the library.

fn main() {
    std::process::exit(0)
}
