//! The time-resolved statistics of a whole run from its parts' ([`TimeStats::merge`]), through
//! the values each keeps ([`super::values`]): the parts in the order of their samples, their
//! per-sample values concatenated, their per-step sums added, their neuron sets intersected, and
//! every figure derived again as the run derives it. With the same batches, the percentiles, the
//! rates per step and the dead and saturated fractions equal the whole run's exactly; the means
//! and the operations per step equal them up to the order of float additions.
use super::{LayerTime, LayerValues, RunValues, TimeStats};
use crate::{Error, Result};

impl TimeStats {
    /// The statistics of the run that `parts` make up, in sample order (`parts[0]` counted the
    /// first samples); operations per sample over `batch_counter`, the whole run's; and the
    /// warnings the merge gives (a neuron layer of other sizes in different parts, whose dead and
    /// saturated fractions are left out). An error names a part without the values (a report of
    /// schema version 2 or older).
    pub fn merge(parts: &[&TimeStats], batch_counter: u64) -> Result<(TimeStats, Vec<String>)> {
        let (mut run, mut warnings) = (RunValues::default(), Vec::new());
        let mut layers: Vec<(String, String, LayerValues)> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let missing = || {
                Error::Report(format!(
                    "merge: the time-resolved statistics of report {i} keep no per-sample values (written by a syops \
                     before schema version 4); count again to merge them"
                ))
            };
            let values = part.values.as_ref().ok_or_else(missing)?;
            let before = run.sample_acs.len();
            run.sample_acs.extend_from_slice(&values.sample_acs);
            run.sample_macs.extend_from_slice(&values.sample_macs);
            run.sample_rate.extend_from_slice(&values.sample_rate);
            for layer in &part.layers {
                let theirs = layer.values.as_ref().ok_or_else(missing)?;
                match layers.iter_mut().find(|(path, ..)| *path == layer.path) {
                    Some((path, _, ours)) => {
                        if let Some((a, b)) = ours.then(theirs) {
                            warnings.push(format!(
                                "time-resolved: neuron layer `{path}` has {a} neurons in reports before report {i} \
                                 and {b} in it; its dead and saturated fractions are left out"
                            ));
                        }
                    }
                    None => {
                        let (dead, saturated) = (theirs.dead.clone(), theirs.saturated.clone());
                        let mut ours = LayerValues { dead, saturated, ..LayerValues::absent_for(before) };
                        ours.then(theirs);
                        layers.push((layer.path.clone(), layer.type_name.clone(), ours));
                    }
                }
            }
            // Layers this part never called: no operations for its samples.
            for (.., ours) in &mut layers {
                ours.sample_acs.resize(run.sample_acs.len(), 0.0);
                ours.sample_macs.resize(run.sample_acs.len(), 0.0);
            }
        }
        let layers = layers
            .into_iter()
            .map(|(path, type_name, values)| LayerTime::derive(path, type_name, values, batch_counter))
            .collect();
        Ok((TimeStats::derive(run, layers, batch_counter), warnings))
    }
}
