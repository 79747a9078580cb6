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
}

impl EnergyModel {
    /// 45 nm, FP32: 0.9 pJ per AC, 4.6 pJ per MAC (syops' figures).
    pub const FP32_45NM: EnergyModel = EnergyModel { pj_per_ac: 0.9, pj_per_mac: 4.6 };
    /// 45 nm, FP16: 0.4 pJ per AC, 1.5 pJ per MAC.
    pub const FP16_45NM: EnergyModel = EnergyModel { pj_per_ac: 0.4, pj_per_mac: 1.5 };
    /// 45 nm, INT8: 0.03 pJ per AC, 0.23 pJ per MAC.
    pub const INT8_45NM: EnergyModel = EnergyModel { pj_per_ac: 0.03, pj_per_mac: 0.23 };

    /// Energy of `acs` and `macs` operations.
    pub fn estimate(&self, acs: f64, macs: f64) -> Energy {
        let ac_mj = acs * self.pj_per_ac * 1e-9;
        let mac_mj = macs * self.pj_per_mac * 1e-9;
        Energy { model: *self, ac_mj, mac_mj, total_mj: ac_mj + mac_mj }
    }
}

impl std::str::FromStr for EnergyModel {
    type Err = crate::Error;

    /// `fp32`, `fp16`, `int8` (the 45 nm presets) or `AC_PJ,MAC_PJ` (`0.9,4.6`).
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fp32" => Ok(Self::FP32_45NM),
            "fp16" => Ok(Self::FP16_45NM),
            "int8" => Ok(Self::INT8_45NM),
            other => {
                let bad =
                    || crate::Error::Invalid(format!("energy model `{s}`: expected fp32, fp16, int8 or AC_PJ,MAC_PJ"));
                let (ac, mac) = other.split_once(',').ok_or_else(bad)?;
                let pj = |v: &str| v.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0).ok_or_else(bad);
                Ok(EnergyModel { pj_per_ac: pj(ac)?, pj_per_mac: pj(mac)? })
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
        assert_eq!("0.5, 2".parse::<EnergyModel>().unwrap(), EnergyModel { pj_per_ac: 0.5, pj_per_mac: 2.0 });
        assert!("fp64".parse::<EnergyModel>().is_err());
        assert!("1,-2".parse::<EnergyModel>().is_err());
    }
}
