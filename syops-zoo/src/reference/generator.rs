//! The reference cases' deterministic generator: FNV-1a-64 of a key seeds a splitmix64 stream;
//! the top 24 bits of each value give `u` in [0, 1), exact in f32.
use candle::{Device, Tensor};

use super::GenSpec;

/// FNV-1a, 64 bits.
pub fn fnv1a64(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// `n` values of `u` for `key`.
pub fn unit_uniform(key: &str, n: usize) -> Vec<f32> {
    let seed = fnv1a64(key);
    (1..=n as u64)
        .map(|i| {
            let mut z = seed.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 40) as f32 / 16_777_216.0
        })
        .collect()
}

/// Materialises a generated tensor in f32, one rounding per step as the reference does.
pub fn generate(spec: &GenSpec, shape: &[usize], device: &Device) -> syops_runtime::Result<Tensor> {
    let n = shape.iter().product::<usize>();
    let u = unit_uniform(&spec.key, n);
    let values: Vec<f32> = match spec.kind.as_str() {
        "uniform" => {
            let bound = spec.bound_f32()?;
            u.iter().map(|&u| (u * 2.0 - 1.0) * bound).collect()
        }
        "unit" => u,
        "bernoulli" => {
            let p = spec.p.ok_or_else(|| spec.error("bernoulli spec without `p`"))? as f32;
            u.iter().map(|&u| if u < p { 1.0 } else { 0.0 }).collect()
        }
        other => return Err(spec.error(&format!("unknown generator kind `{other}`"))),
    };
    Ok(Tensor::from_vec(values, shape, device)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_from_the_readme() {
        assert_eq!(fnv1a64("test"), 18_007_334_074_686_647_077);
        assert_eq!(unit_uniform("test", 4), [0.27604425, 0.8804859, 0.93490666, 0.33712572]);
    }
}
