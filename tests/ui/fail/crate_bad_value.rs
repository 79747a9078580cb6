struct Net;

#[syops::count(crate = "syops")]
impl Net {}

fn main() {}
