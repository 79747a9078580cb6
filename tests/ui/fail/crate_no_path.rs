#[syops::count(crate =)]
struct Net {
    fc: candle_nn::Linear,
}

fn main() {}
