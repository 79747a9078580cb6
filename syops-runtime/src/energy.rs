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
}
