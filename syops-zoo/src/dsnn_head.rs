//! The DSNN (AAP) as a model of one output, as `cargo syops zoo` runs it: [`DsnnHead`] runs
//! [`AapResNet`]'s whole forward (both heads, every layer counted as the original counts its
//! forward) and returns the logits of the head that [`Head`] names, which the accuracy scores. It
//! is transparent: the report's rows, their paths and the model's name (`AAPResNet`) are the
//! DSNN's own.
//!
//! ```
//! use candle::{DType, Device, Module};
//! use candle_nn::VarBuilder;
//! use syops_zoo::dsnn::{dsnn, Cnf};
//! use syops_zoo::dsnn_head::{DsnnHead, Head};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dev = Device::Cpu;
//! let model = DsnnHead::new(dsnn(18, 2, Cnf::And, 10, VarBuilder::zeros(DType::F32, &dev))?, Head::Acc);
//! let session = syops_runtime::Session::new();
//! let report = session.count_static(&model, &[1, 3, 32, 32], DType::F32, &dev, |m, xs| m.forward(xs))?;
//! assert_eq!((report.model.as_str(), report.layer("fc").unwrap().stats.calls), ("AAPResNet", 2));
//! # Ok(()) }
//! ```
use candle::{Module, Result, Tensor};
use syops_runtime::model::{Call, Layer, Ops, Role, Segment};

use crate::dsnn::AapResNet;

/// Which of the DSNN's heads is the model's output (`--head`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// The spike path's logits (the full-spike network's, `spikes`).
    Spikes,
    /// The auxiliary accumulation pathway's logits (`acc`).
    Acc,
}

impl Head {
    /// Its name: `spikes` or `acc`.
    pub fn name(&self) -> &'static str {
        match self {
            Head::Spikes => "spikes",
            Head::Acc => "acc",
        }
    }
}

impl std::str::FromStr for Head {
    type Err = candle::Error;

    /// `spikes` or `acc`, in any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "spikes" => Ok(Head::Spikes),
            "acc" => Ok(Head::Acc),
            _ => candle::bail!("unknown head `{s}`; expected spikes or acc"),
        }
    }
}

/// [`AapResNet`] whose output is one head's logits; everything else is the DSNN's.
pub struct DsnnHead {
    model: AapResNet,
    head: Head,
}

impl DsnnHead {
    /// `model`, its output `head`'s logits.
    pub fn new(model: AapResNet, head: Head) -> Self {
        DsnnHead { model, head }
    }

    /// The head whose logits are the output.
    pub fn head(&self) -> Head {
        self.head
    }
}

impl Module for DsnnHead {
    /// `[N, 3, H, W]` → the chosen head's `[N, classes]`; the other head is computed too.
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let (spikes, acc) = self.model.forward(xs)?;
        Ok(match self.head {
            Head::Spikes => spikes,
            Head::Acc => acc,
        })
    }
}

/// The DSNN's own, so that the wrapper adds no node, no path segment and no name.
impl Layer for DsnnHead {
    fn type_name(&self) -> &'static str {
        self.model.type_name()
    }
    fn role(&self) -> Role {
        self.model.role()
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        self.model.children(visit)
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        self.model.params(visit)
    }
    fn ops(&self, call: &Call<'_>) -> syops_runtime::Result<Ops> {
        self.model.ops(call)
    }
    fn reset_state(&self) {
        self.model.reset_state()
    }
    fn multi_step(&self) -> bool {
        self.model.multi_step()
    }
    fn fired(&self, output: &Tensor) -> Option<u64> {
        self.model.fired(output)
    }
}

#[cfg(test)]
mod tests {
    use super::Head;

    #[test]
    fn heads_parse_by_name() {
        for head in [Head::Spikes, Head::Acc] {
            assert_eq!(head.name().parse::<Head>().unwrap(), head);
        }
        assert_eq!("ACC".parse::<Head>().unwrap(), Head::Acc);
        let err = "logits".parse::<Head>().unwrap_err().to_string();
        assert!(err.contains("unknown head `logits`; expected spikes or acc"), "{err}");
    }
}
