//! A set of the neurons of one sample of a neuron layer (by flattened index), as a bitmap: which
//! neurons never fired, which fired every time. Shards' sets intersect into the whole run's
//! ([`NeuronSet::and`]). In JSON it is `{"neurons": N, "hex": "…"}`: bit `i` is bit `i % 8` of
//! byte `i / 8`, bytes in hex, so a layer of a million neurons costs 250 kB per set.
//!
//! ```
//! use syops_runtime::count::time::NeuronSet;
//! let dead = NeuronSet::from_flags(&[1, 0, 1, 1, 0, 0, 0, 0, 1, 0]);
//! assert_eq!((dead.neurons(), dead.count(), dead.fraction()), (10, 4, 0.4));
//! let other = NeuronSet::from_flags(&[1, 1, 0, 1, 0, 0, 0, 0, 1, 1]);
//! assert_eq!(dead.and(&other).unwrap().count(), 3);
//! assert!(serde_json::to_string(&dead).unwrap().contains(r#""hex":"0d01""#));
//! ```
use serde::{Deserialize, Serialize};

/// Neurons of one sample of a layer, as a bitmap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Encoded", try_from = "Encoded")]
pub struct NeuronSet {
    neurons: u64,
    bits: Vec<u8>,
}

/// How a set is written in a report.
#[derive(Serialize, Deserialize)]
struct Encoded {
    neurons: u64,
    hex: String,
}

impl NeuronSet {
    /// The neurons whose flag is not 0.
    pub fn from_flags(flags: &[u8]) -> NeuronSet {
        let mut bits = vec![0u8; flags.len().div_ceil(8)];
        for (i, _) in flags.iter().enumerate().filter(|(_, f)| **f != 0) {
            bits[i / 8] |= 1 << (i % 8);
        }
        NeuronSet { neurons: flags.len() as u64, bits }
    }

    /// Neurons of one sample (members or not).
    pub fn neurons(&self) -> u64 {
        self.neurons
    }

    /// Members.
    pub fn count(&self) -> u64 {
        self.bits.iter().map(|b| u64::from(b.count_ones())).sum()
    }

    /// Members over neurons (over 1 when the layer has none).
    pub fn fraction(&self) -> f64 {
        self.count() as f64 / self.neurons.max(1) as f64
    }

    /// The neurons in both; `None` when the two are sets of layers of different sizes.
    pub fn and(&self, other: &NeuronSet) -> Option<NeuronSet> {
        (self.neurons == other.neurons).then(|| NeuronSet {
            neurons: self.neurons,
            bits: self.bits.iter().zip(&other.bits).map(|(a, b)| a & b).collect(),
        })
    }
}

impl From<NeuronSet> for Encoded {
    fn from(set: NeuronSet) -> Encoded {
        let hex = set.bits.iter().map(|b| format!("{b:02x}")).collect();
        Encoded { neurons: set.neurons, hex }
    }
}

impl TryFrom<Encoded> for NeuronSet {
    type Error = String;

    fn try_from(e: Encoded) -> Result<NeuronSet, String> {
        let want = usize::try_from(e.neurons).map_err(|_| format!("{} neurons is too many", e.neurons))?.div_ceil(8);
        if e.hex.len() != 2 * want || !e.hex.is_ascii() {
            return Err(format!("a set of {} neurons needs {} hex digits, not {}", e.neurons, 2 * want, e.hex.len()));
        }
        let bits = (0..want)
            .map(|i| u8::from_str_radix(&e.hex[2 * i..2 * i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|err| format!("neuron set: {err}"))?;
        if !e.neurons.is_multiple_of(8) && bits.last().is_some_and(|b| b >> (e.neurons % 8) != 0) {
            return Err(format!("neuron set: bits set past its {} neurons", e.neurons));
        }
        Ok(NeuronSet { neurons: e.neurons, bits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_bad_text() {
        let set = NeuronSet::from_flags(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"{"neurons":11,"hex":"0206"}"#);
        assert_eq!(serde_json::from_str::<NeuronSet>(&json).unwrap(), set);
        for bad in [r#"{"neurons":11,"hex":"02"}"#, r#"{"neurons":11,"hex":"02zz"}"#, r#"{"neurons":11,"hex":"02f6"}"#]
        {
            assert!(serde_json::from_str::<NeuronSet>(bad).is_err(), "{bad}");
        }
        assert!(set.and(&NeuronSet::from_flags(&[1])).is_none());
        assert_eq!(NeuronSet::from_flags(&[]).fraction(), 0.0);
    }
}
