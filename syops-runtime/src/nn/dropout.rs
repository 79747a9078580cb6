//! `nn.Dropout` in evaluation mode: the identity. syops 0.0.5 does not map it and counts nothing
//! for it; neither does this layer (a covered layer of zero operations, as `Flatten`).
use candle::{Module, Result, Tensor};

use crate::model::{Call, Layer, Ops, Role};

/// An eval-mode dropout, of probability `p` in training (kept for the record; never applied).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    p: f64,
}

impl Dropout {
    /// A dropout of probability `p` (PyTorch's default is 0.5).
    pub fn new(p: f64) -> Self {
        Dropout { p }
    }

    /// Its training-time probability.
    pub fn p(&self) -> f64 {
        self.p
    }
}

impl Default for Dropout {
    fn default() -> Self {
        Dropout::new(0.5)
    }
}

impl Module for Dropout {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(xs.clone())
    }
}

impl Layer for Dropout {
    fn type_name(&self) -> &'static str {
        "Dropout"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn ops(&self, _call: &Call<'_>) -> crate::Result<Ops> {
        Ok(Ops::zero())
    }
}
