//! Energy per sample from ACs and MACs: 45 nm figures by default (Horowitz 2014: 0.9 pJ per
//! 32-bit float add, 4.6 pJ per multiply-add), as the original syops reports.
use serde::{Deserialize, Serialize};

/// Picojoules per operation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnergyModel {
    /// pJ per accumulate.
    pub pj_per_ac: f64,
    /// pJ per multiply-accumulate.
    pub pj_per_mac: f64,
    /// Width of a weight or a membrane potential in bits, for the memory-inclusive estimate
    /// ([`crate::report::EnergyDetail`]): 32, 16 and 8 for the presets, 32 unless given for custom figures.
    #[serde(default = "default_bits")]
    pub bits: u32,
}

fn default_bits() -> u32 {
    32
}

impl EnergyModel {
    /// 45 nm, FP32: 0.9 pJ per AC, 4.6 pJ per MAC (syops' figures).
    pub const FP32_45NM: EnergyModel = EnergyModel { pj_per_ac: 0.9, pj_per_mac: 4.6, bits: 32 };
    /// 45 nm, FP16: 0.4 pJ per AC, 1.5 pJ per MAC.
    pub const FP16_45NM: EnergyModel = EnergyModel { pj_per_ac: 0.4, pj_per_mac: 1.5, bits: 16 };
    /// 45 nm, INT8: 0.03 pJ per AC, 0.23 pJ per MAC.
    pub const INT8_45NM: EnergyModel = EnergyModel { pj_per_ac: 0.03, pj_per_mac: 0.23, bits: 8 };

    /// Energy of `acs` and `macs` operations.
    pub fn estimate(&self, acs: f64, macs: f64) -> Energy {
        let ac_mj = acs * self.pj_per_ac * 1e-9;
        let mac_mj = macs * self.pj_per_mac * 1e-9;
        Energy { model: *self, ac_mj, mac_mj, total_mj: ac_mj + mac_mj }
    }
}

impl std::str::FromStr for EnergyModel {
    type Err = crate::Error;

    /// `fp32`, `fp16`, `int8` (the 45 nm presets) or `AC_PJ,MAC_PJ[,BITS]` (`0.9,4.6` or
    /// `0.9,4.6,32`; bits default to 32).
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fp32" => Ok(Self::FP32_45NM),
            "fp16" => Ok(Self::FP16_45NM),
            "int8" => Ok(Self::INT8_45NM),
            other => {
                let bad = || {
                    crate::Error::Invalid(format!(
                        "energy model `{s}`: expected fp32, fp16, int8 or AC_PJ,MAC_PJ[,BITS]"
                    ))
                };
                let (ac, rest) = other.split_once(',').ok_or_else(bad)?;
                let (mac, bits) = match rest.split_once(',') {
                    Some((mac, bits)) => (mac, Some(bits.trim())),
                    None => (rest, None),
                };
                let pj = |v: &str| v.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(bad);
                let bits = match bits {
                    None => default_bits(),
                    Some(b) => b.parse::<u32>().ok().filter(|b| (1..=64).contains(b)).ok_or_else(|| {
                        crate::Error::Invalid(format!(
                            "energy model `{s}`: bits `{b}` must be a whole number from 1 to 64"
                        ))
                    })?,
                };
                Ok(EnergyModel { pj_per_ac: pj(ac)?, pj_per_mac: pj(mac)?, bits })
            }
        }
    }
}

impl Default for EnergyModel {
    fn default() -> Self {
        Self::FP32_45NM
    }
}

/// An energy estimate, in millijoules, with the figures it assumed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Energy {
    /// The assumed cost per operation.
    pub model: EnergyModel,
    /// Energy of the ACs.
    pub ac_mj: f64,
    /// Energy of the MACs.
    pub mac_mj: f64,
    /// Their sum.
    pub total_mj: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syops_readme_figure() {
        // spiking_resnet18 in the original README: 0.10 G ACs, 0.14 G MACs -> 0.734 mJ.
        let e = EnergyModel::FP32_45NM.estimate(0.10e9, 0.14e9);
        assert!((e.total_mj - 0.734).abs() < 1e-9, "{}", e.total_mj);
    }

    #[test]
    fn parses_presets_and_custom_figures() {
        assert_eq!("FP16".parse::<EnergyModel>().unwrap(), EnergyModel::FP16_45NM);
        assert_eq!("int8".parse::<EnergyModel>().unwrap(), EnergyModel::INT8_45NM);
        assert_eq!("0.5, 2".parse::<EnergyModel>().unwrap(), EnergyModel { pj_per_ac: 0.5, pj_per_mac: 2.0, bits: 32 });
        assert_eq!(
            "0.5,2, 4".parse::<EnergyModel>().unwrap(),
            EnergyModel { pj_per_ac: 0.5, pj_per_mac: 2.0, bits: 4 }
        );
        assert!("fp64".parse::<EnergyModel>().is_err());
        assert!("1,-2".parse::<EnergyModel>().is_err());
    }

    #[test]
    fn custom_bits_must_be_a_width_from_1_to_64() {
        for (input, bits) in [("0.9,4.6,0", "0"), ("0.9,4.6,65", "65"), ("0.9,4.6,8.5", "8.5"), ("0.9,4.6,", "")] {
            let err = input.parse::<EnergyModel>().unwrap_err().to_string();
            assert_eq!(err, format!("energy model `{input}`: bits `{bits}` must be a whole number from 1 to 64"));
        }
        let err = "0.9,4.6,8,1".parse::<EnergyModel>().unwrap_err().to_string();
        assert!(err.contains("bits `8,1`"), "{err}");
        let err = "0.9,x,8".parse::<EnergyModel>().unwrap_err().to_string();
        assert_eq!(err, "energy model `0.9,x,8`: expected fp32, fp16, int8 or AC_PJ,MAC_PJ[,BITS]");
    }
}
