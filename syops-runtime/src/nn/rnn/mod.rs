//! `nn.RNN`, `nn.GRU`, `nn.LSTM` (batch-first `[N, L, H_in]` input, stacked, bidirectional, with
//! or without bias) and `nn.RNNCell`, `nn.GRUCell`, `nn.LSTMCell`, with PyTorch's gate order
//! (LSTM `i, f, g, o`; GRU `r, z, n`) and parameter names (`weight_ih_l0`, `bias_hh_l1_reverse`;
//! `weight_ih`, `bias_hh` for cells). Counted by syops' `rnn_syops_counter_hook` and
//! `rnn_cell_syops_counter_hook`: the count goes to the total only. Under NeuroBench's
//! convention a cell's call is one step of NeuroBench's cell count ([`cell_synapses`]) from the
//! state it started from, and a whole layer is counted as its cells, step by step (NeuroBench 2.3
//! itself fails on `nn.LSTM`, `nn.GRU` and `nn.RNN`).
//!
//! A cell made with [`RnnCell::keep_state`] keeps its state across `forward` calls until
//! `syops::reset` (as a PyTorch loop passing `(h, c)` back in, from zeros), so that a counted
//! `self.cell.forward(&x)` in a time loop carries its state.
//!
//! - RNN: `h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)` (or ReLU).
//! - LSTM: `i, f, g, o = σ, σ, tanh, σ` of the four gate chunks; `c' = f c + i g`, `h' = o tanh(c')`.
//! - GRU: `r = σ(.. r ..)`, `z = σ(.. z ..)`, `n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn))`,
//!   `h' = (1 - z) n + z h`.
mod cell;
mod layer;
mod weights;

pub use cell::RnnCell;
pub use layer::{Rnn, RnnConfig, RnnOutput};
pub use weights::RnnMode;
