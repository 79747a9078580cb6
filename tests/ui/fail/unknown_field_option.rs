#[syops::count]
struct Net {
    #[syops(hide)]
    fc: candle_nn::Linear,
}

fn main() {}
