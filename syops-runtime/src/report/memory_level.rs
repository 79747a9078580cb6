//! Where weights and membrane potentials live, and what one 64-bit access there costs: SRAM
//! buffers by size after Lemaire et al. 2022, DRAM beyond after Horowitz 2014.

/// A buffer level and the energy of one 64-bit access to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryLevel {
    /// `SRAM ≤ 8 KiB`.
    pub name: &'static str,
    /// The largest size it holds, in bytes; `None` for DRAM.
    pub max_bytes: Option<u64>,
    /// pJ per 64-bit access.
    pub pj_per_access: f64,
}

/// The levels, smallest first (Lemaire et al. 2022; DRAM after Horowitz 2014).
pub const MEMORY_LEVELS: [MemoryLevel; 4] = [
    MemoryLevel { name: "SRAM ≤ 8 KiB", max_bytes: Some(8 << 10), pj_per_access: 10.0 },
    MemoryLevel { name: "SRAM ≤ 32 KiB", max_bytes: Some(32 << 10), pj_per_access: 20.0 },
    MemoryLevel { name: "SRAM ≤ 1 MiB", max_bytes: Some(1 << 20), pj_per_access: 100.0 },
    MemoryLevel { name: "DRAM", max_bytes: None, pj_per_access: 1300.0 },
];

impl MemoryLevel {
    /// The smallest level that holds `bytes`.
    pub fn holding(bytes: u64) -> &'static MemoryLevel {
        MEMORY_LEVELS
            .iter()
            .find(|l| match l.max_bytes {
                Some(max) => bytes <= max,
                None => true,
            })
            .expect("DRAM holds anything")
    }
}

/// Bytes of `count` values of `bits` bits, rounded up.
pub(crate) fn bytes(count: u64, bits: u32) -> u64 {
    (count * u64::from(bits)).div_ceil(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_switch_just_past_their_size() {
        let name = |bytes| MemoryLevel::holding(bytes).name;
        assert_eq!((name(0), name(8 << 10), name((8 << 10) + 1)), ("SRAM ≤ 8 KiB", "SRAM ≤ 8 KiB", "SRAM ≤ 32 KiB"));
        assert_eq!((name(32 << 10), name((32 << 10) + 1)), ("SRAM ≤ 32 KiB", "SRAM ≤ 1 MiB"));
        assert_eq!((name(1 << 20), name((1 << 20) + 1)), ("SRAM ≤ 1 MiB", "DRAM"));
        // 2048 FP32 weights are exactly 8 KiB; 2049 are not; 4 bits round up to a whole byte.
        assert_eq!((bytes(2048, 32), bytes(2049, 32), bytes(3, 4)), (8192, 8196, 2));
    }
}
