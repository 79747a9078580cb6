struct Net;

impl Net {
    #[syops::count]
    fn run(&self) {}
}

fn main() {}
