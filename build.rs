// The templates are embedded with include_dir!, which cargo cannot see through: without this a
// changed template would not rebuild the binary.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
