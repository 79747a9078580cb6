#[syops::count(name = "A", name = "B")]
struct Net {
    fc: candle_nn::Linear,
}

fn main() {}
