//! `nn.Flatten`: no operations (syops has no rule for it; it counts nothing).
use candle::{Module, Result, Tensor};

use crate::model::{Call, Layer, Ops, Role};

/// Flattens dims `start_dim..` into one (PyTorch's default `start_dim = 1`).
#[derive(Debug, Clone, Copy)]
pub struct Flatten {
    start_dim: usize,
}

impl Flatten {
    /// Flattens from `start_dim` to the end.
    pub fn new(start_dim: usize) -> Self {
        Flatten { start_dim }
    }
}

impl Default for Flatten {
    fn default() -> Self {
        Flatten::new(1)
    }
}

impl Module for Flatten {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        if xs.rank() <= self.start_dim {
            candle::bail!("Flatten: start_dim {} is out of range for input of shape {:?}", self.start_dim, xs.dims());
        }
        xs.flatten_from(self.start_dim)
    }
}

impl Layer for Flatten {
    fn type_name(&self) -> &'static str {
        "Flatten"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn ops(&self, _call: &Call<'_>) -> crate::Result<Ops> {
        Ok(Ops::zero())
    }
}
