//! Batches read on a thread of their own while the current one is counted, so that reading,
//! decoding and transforming the next batch overlap the forward. One batch ahead at most: the
//! reader hands a batch over only when the counter asks for the next (a rendezvous channel), so
//! two batches are in memory at most, the one being counted and the next, read.
//! [`crate::run`] counts through it.
use std::sync::mpsc::{sync_channel, Receiver};

use super::{Batch, Batches};
use crate::Result;

/// Runs `count` on `batches` read by another thread, one batch ahead; the batches arrive in
/// order, and an error ends them. When `count` returns early, the reader stops after the batch
/// it is reading.
pub fn prefetched<R>(batches: Batches<'_>, count: impl FnOnce(Prefetched) -> R) -> R {
    let left = batches.len();
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel(0);
        scope.spawn(move || {
            for batch in batches {
                let failed = batch.is_err();
                if tx.send(batch).is_err() || failed {
                    break;
                }
            }
        });
        count(Prefetched { rx, left })
    })
}

/// The batches [`prefetched`] hands over, in order.
pub struct Prefetched {
    rx: Receiver<Result<Batch>>,
    left: usize,
}

impl Iterator for Prefetched {
    type Item = Result<Batch>;

    fn next(&mut self) -> Option<Result<Batch>> {
        let batch = self.rx.recv().ok()?;
        self.left = self.left.saturating_sub(1);
        Some(batch)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use candle::{DType, Device, Tensor};

    use super::*;
    use crate::data::{Dataset, Sample};
    use crate::Error;

    /// Samples `[i]`, labelled `i`; sample `bad` fails.
    struct Numbers {
        len: usize,
        bad: Option<usize>,
    }

    impl Dataset for Numbers {
        fn len(&self) -> usize {
            self.len
        }
        fn describe(&self) -> String {
            format!("{} numbers", self.len)
        }
        fn sample(&self, index: usize) -> Result<Sample> {
            if Some(index) == self.bad {
                return Err(Error::Data { path: self.source(index), msg: "unreadable".into() });
            }
            Ok(Sample { xs: Tensor::new(&[index as f32], &Device::Cpu)?, label: Some(index as u32) })
        }
        fn source(&self, index: usize) -> PathBuf {
            PathBuf::from(format!("{index}.npy"))
        }
    }

    fn batches(data: &Numbers) -> Batches<'_> {
        Batches::new(data, 2, None, DType::F32, &Device::Cpu)
    }

    #[test]
    fn in_order_and_ending_at_an_error() {
        let data = Numbers { len: 5, bad: None };
        let labels = prefetched(batches(&data), |b| {
            assert_eq!(b.size_hint(), (0, Some(3)));
            b.map(|b| b.unwrap().labels.unwrap()).collect::<Vec<_>>()
        });
        assert_eq!(labels, [vec![0, 1], vec![2, 3], vec![4]]);
        let data = Numbers { len: 7, bad: Some(3) };
        let got: Vec<bool> = prefetched(batches(&data), |b| b.map(|b| b.is_ok()).collect());
        assert_eq!(got, [true, false], "the batch holding sample 3 fails, and ends the batches");
        // A counter that stops early leaves the reader to stop too.
        let data = Numbers { len: 100, bad: None };
        assert_eq!(prefetched(batches(&data), |mut b| b.next().unwrap().unwrap().labels), Some(vec![0, 1]));
    }
}
