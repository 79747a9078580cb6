struct Net;

#[syops::count(speed = 3)]
impl Net {}

fn main() {}
