//! refgen.py's `Recurrent`: a 2-layer LSTM, a bidirectional GRU, a bias-free RNN, self-attention,
//! then LSTM, GRU and RNN cells on the last step and a linear head. Fields in registration order.
use candle::{IndexOp, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::nn::{MultiheadAttention, Rnn, RnnCell, RnnConfig, RnnMode};

#[count(crate = ::syops_runtime)]
pub struct Recurrent {
    lstm: Rnn,
    gru: Rnn,
    rnn: Rnn,
    lstm_cell: RnnCell,
    gru_cell: RnnCell,
    rnn_cell: RnnCell,
    attn: MultiheadAttention,
    fc: Linear,
}

impl Recurrent {
    pub fn new(vb: VarBuilder) -> Result<Self> {
        Ok(Recurrent {
            lstm: Rnn::lstm(16, 32, RnnConfig { num_layers: 2, ..Default::default() }, vb.pp("lstm"))?,
            gru: Rnn::gru(32, 24, RnnConfig { bidirectional: true, ..Default::default() }, vb.pp("gru"))?,
            rnn: Rnn::rnn_tanh(48, 16, RnnConfig { bias: false, ..Default::default() }, vb.pp("rnn"))?,
            lstm_cell: RnnCell::new(RnnMode::Lstm, 16, 8, true, vb.pp("lstm_cell"))?,
            gru_cell: RnnCell::new(RnnMode::Gru, 8, 8, true, vb.pp("gru_cell"))?,
            rnn_cell: RnnCell::new(RnnMode::RnnTanh, 8, 8, true, vb.pp("rnn_cell"))?,
            attn: MultiheadAttention::new(16, 4, true, vb.pp("attn"))?,
            fc: candle_nn::linear(8, 2, vb.pp("fc"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for Recurrent {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let y = self.lstm.forward(xs)?;
        let y = self.gru.forward(&y)?;
        let y = self.rnn.forward(&y)?;
        let y = self.attn.forward(&y)?;
        let last = y.dim(1)? - 1;
        let h = self.lstm_cell.forward(&y.i((.., last))?.contiguous()?)?;
        let h = self.gru_cell.forward(&h)?;
        let h = self.rnn_cell.forward(&h)?;
        self.fc.forward(&h)
    }
}
