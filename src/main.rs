fn main() {
    std::process::exit(chokepoint::cli::main());
}
