//! Top-1 and top-5 accuracy of a counted run over labelled samples
//! ([`Session::count_labelled`](crate::Session::count_labelled)), so that a report of trained
//! weights shows at once whether they loaded right: the original tool's table quotes Acc@1 and
//! Acc@5 beside the counts.
use candle::{DType, Tensor};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Correct predictions over labelled samples, exact counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accuracy {
    /// Labelled samples seen.
    pub samples: u64,
    /// Samples whose label scored highest.
    pub top1: u64,
    /// Samples whose label was among the five highest scores (all classes when fewer).
    pub top5: u64,
}

impl Accuracy {
    /// Scores one batch: `scores` are `[N, classes]`, or `[T, N, classes]` (a multi-step output,
    /// averaged over `T` first, as spikingjelly's evaluation does); `labels` has `N` classes. A
    /// class's rank counts the classes that score strictly higher, and the classes before it that
    /// score the same (ties go to the lower class index).
    pub fn add(&mut self, scores: &Tensor, labels: &[u32]) -> Result<()> {
        let scores = match scores.rank() {
            3 => scores.mean(0)?,
            2 => scores.clone(),
            _ => {
                return Err(Error::Invalid(format!(
                    "accuracy: the model's output has shape {:?}; expected [N, classes] or [T, N, classes]",
                    scores.dims()
                )))
            }
        };
        let (n, classes) = scores.dims2()?;
        if n != labels.len() {
            return Err(Error::Invalid(format!("accuracy: {n} outputs for {} labels", labels.len())));
        }
        let rows = scores.to_dtype(DType::F64)?.to_vec2::<f64>()?;
        for (row, &label) in rows.iter().zip(labels) {
            let label = label as usize;
            if label >= classes {
                return Err(Error::Invalid(format!("accuracy: label {label}, but the model scores {classes} classes")));
            }
            let s = row[label];
            let rank = row.iter().enumerate().filter(|&(c, &v)| v > s || (v == s && c < label)).count();
            self.samples += 1;
            self.top1 += u64::from(rank == 0);
            self.top5 += u64::from(rank < 5);
        }
        Ok(())
    }

    /// Top-1 accuracy in [0, 1] (`None` without samples).
    pub fn top1_rate(&self) -> Option<f64> {
        (self.samples > 0).then(|| self.top1 as f64 / self.samples as f64)
    }

    /// `top-1 66.67 %, top-5 100.00 % over 6 labelled samples`, as the summaries print it.
    pub fn describe(&self) -> String {
        let pct = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{:.2} %", v * 100.0));
        format!(
            "top-1 {}, top-5 {} over {} labelled samples",
            pct(self.top1_rate()),
            pct(self.top5_rate()),
            self.samples
        )
    }

    /// Top-5 accuracy in [0, 1] (`None` without samples).
    pub fn top5_rate(&self) -> Option<f64> {
        (self.samples > 0).then(|| self.top5 as f64 / self.samples as f64)
    }
}

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;

    #[test]
    fn ranks_by_score_with_ties_to_the_lower_class() {
        let mut acc = Accuracy::default();
        #[rustfmt::skip]
        let scores = Tensor::new(&[
            [0.1f32, 0.9, 0.0, 0.0, 0.0, 0.0, 0.0],  // label 1: top-1
            [0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0],     // label 1 ties with 0, which comes first: top-5 only
            [0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0],     // label 6: rank 6, neither
        ], &Device::Cpu).unwrap();
        acc.add(&scores, &[1, 1, 6]).unwrap();
        assert_eq!(acc, Accuracy { samples: 3, top1: 1, top5: 2 });
        // Multi-step: [T = 2, N = 1, 3], averaged over T: class 2 wins.
        let steps = Tensor::new(&[[[1f32, 0., 0.]], [[0., 0., 3.]]], &Device::Cpu).unwrap();
        acc.add(&steps, &[2]).unwrap();
        assert_eq!((acc.samples, acc.top1), (4, 2));
        assert_eq!(acc.top1_rate(), Some(0.5));
        assert_eq!(acc.describe(), "top-1 50.00 %, top-5 75.00 % over 4 labelled samples");
        let err = acc.add(&scores, &[1]).unwrap_err().to_string();
        assert!(err.contains("3 outputs for 1 labels"), "{err}");
        let err = acc.add(&scores, &[1, 1, 7]).unwrap_err().to_string();
        assert!(err.contains("label 7") && err.contains("7 classes"), "{err}");
    }
}
