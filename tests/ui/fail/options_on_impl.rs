struct Net;

#[syops::count(name = "X")]
impl Net {}

fn main() {}
