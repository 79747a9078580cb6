#[syops::count(crate = ::syops, name = "Net", crate = ::syops)]
struct Net {
    fc: candle_nn::Linear,
}

fn main() {}
