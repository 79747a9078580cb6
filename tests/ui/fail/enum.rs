#[syops::count]
enum Net {
    A,
}

fn main() {}
