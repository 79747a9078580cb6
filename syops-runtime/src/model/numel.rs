//! The element count of a shape, as the counts are kept: `u64`.

/// Product of a shape's dimensions as `u64`.
pub fn numel(dims: &[usize]) -> u64 {
    dims.iter().map(|&d| d as u64).product()
}
