"""NeuroBench 2.3's metrics on small models, the fixtures of `tests/neurobench.rs`.

Run from the repository's root with torch, neurobench 2.3.0, snntorch 1.0.0, spikingjelly
0.0.0.0.14, syops 0.0.5 (for tests/reference/refgen.py), scikit-learn and safetensors installed:

    python tests/neurobench/make_fixtures.py tests/neurobench [CASE ...]

(naming cases writes only those; `snn_mlp` writes `snn_mlp_pruned` too).
For each model it writes `<name>.json` (what NeuroBench reported, in float32 and float64) and, for
the models trained here, `<name>.safetensors` (the float32 state dict, and the input batches as
`input.0`, `input.1`, ...). The models:

- `cells`: `nn.LSTMCell` -> `nn.ReLU` -> `nn.GRUCell` -> `nn.RNNCell` -> `nn.Linear`, one step per
  row of a digit (8 steps of 8 binarised pixels), states passed explicitly (zeros first); trained,
  then 30 % of the LSTM cell's weights (smallest magnitude) set to zero. `TorchModel`.
- `snn_mlp`: `Linear -> snn.Leaky -> Linear -> snn.Leaky`, rate-coded digits over 6 steps;
  trained. `SNNTorchModel`.
- `snn_mlp_pruned`: `snn_mlp` with half of each Linear weight (smallest magnitude) set to zero.
- `snn_conv`: `Conv2d -> Leaky (learnable beta) -> MaxPool2d -> Conv2d -> Leaky (reset to zero)
  -> MaxPool2d -> Flatten -> Linear -> Leaky`, the same rate-coded digits as 1x8x8 images; trained.
- `snn_recurrent`: `Linear -> snn.RSynaptic (all-to-all recurrent Linear) -> Linear -> snn.RLeaky
  (all-to-all, output)`, the rate-coded digits; trained. NeuroBench finds each neuron's
  `recurrent` Linear as a connection layer of its own (`1.recurrent`, `3.recurrent`), fed the
  neuron's previous spikes (zeros at the first step).
- `cifar_plif_t4`: the reference case of tests/reference (spikingjelly PLIF/LIF/IF neurons, weights
  and inputs from refgen.py's generator), with spikingjelly's `BaseNode` added as an activation
  module, its neurons reset before each batch. NeuroBench's MembraneUpdates reads an snnTorch
  neuron's `mem` only; here the same metric is fed spikingjelly's `v` before and after each call
  (`membrane_updates_from_v`, computed by NeuroBench's own `MembraneUpdates` on those lists).

The test split is 21 digits in batches of 8, 8 and 5 (the last one smaller, so that batch-weighted
ActivationSparsity and per-sample division are both exercised). Each run records NeuroBench's
results, the per-batch sizes, `ActivationSparsityByLayer`, MembraneUpdates per neuron type, and the
per-layer synaptic operations that NeuroBench's own `single_layer_MACs` computed inside
`SynapticOperations` (wrapped to record them per connection layer; the totals are unchanged).
"""
import json
import os
import sys
from collections import defaultdict

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import save_file
from sklearn.datasets import load_digits

import neurobench
import neurobench.metrics.workload.synaptic_operations as synaptic_operations
import snntorch as snn
from snntorch import utils as snn_utils
from neurobench.benchmarks import Benchmark
from neurobench.metrics.static import ConnectionSparsity, Footprint, ParameterCount
from neurobench.metrics.workload import (
    ActivationSparsity,
    ActivationSparsityByLayer,
    MembraneUpdates,
    SynapticOperations,
)
from neurobench.models import SNNTorchModel, TorchModel

STEPS = 6
BATCH = 8
TEST = 21

# ---------------------------------------------------------------- data


def digits():
    """Digits scaled to [0, 1], a fixed train/test split."""
    d = load_digits()
    x = torch.tensor(d.data / 16.0, dtype=torch.float32)
    y = torch.tensor(d.target, dtype=torch.long)
    perm = torch.tensor(np.random.default_rng(0).permutation(len(x)))
    train, test = perm[:1400], perm[1400:1400 + TEST]
    return (x[train], y[train]), (x[test], y[test])


def rate_code(x, seed):
    """[N, 64] intensities -> [N, STEPS, 64] Bernoulli spikes (a seeded generator)."""
    g = torch.Generator().manual_seed(seed)
    u = torch.rand((x.shape[0], STEPS, x.shape[1]), generator=g)
    return (u < x.unsqueeze(1)).float()


def rows(x):
    """[N, 64] intensities -> [N, 8, 8]: 8 steps of one binarised row each."""
    return (x > 0.5).float().reshape(-1, 8, 8)


# ---------------------------------------------------------------- models


class Cells(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTMCell(8, 16)
        self.relu = nn.ReLU()
        self.gru = nn.GRUCell(16, 12)
        self.rnn = nn.RNNCell(12, 12)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        n = x.shape[0]
        h = x.new_zeros(n, 16)
        c = x.new_zeros(n, 16)
        g = x.new_zeros(n, 12)
        r = x.new_zeros(n, 12)
        for t in range(x.shape[1]):
            h, c = self.lstm(x[:, t], (h, c))
            a = self.relu(h)
            g = self.gru(a, g)
            r = self.rnn(g, r)
        return self.fc(r)


def heaviside(x):
    """snnTorch's spike in the membrane's dtype (its surrogates' forward, `(x > 0).float()`, is
    always float32, which a float64 model cannot take); the same values."""
    return (x > 0).to(x.dtype)


def snn_mlp(spike_grad=heaviside):
    return nn.Sequential(
        nn.Linear(64, 32),
        snn.Leaky(beta=0.9, init_hidden=True, spike_grad=spike_grad),
        nn.Linear(32, 10),
        snn.Leaky(beta=0.9, init_hidden=True, output=True, spike_grad=spike_grad),
    )


def snn_conv(spike_grad=heaviside):
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        snn.Leaky(beta=0.8, learn_beta=True, init_hidden=True, spike_grad=spike_grad),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 12, 3, padding=1, bias=False),
        snn.Leaky(beta=0.7, init_hidden=True, reset_mechanism="zero", spike_grad=spike_grad),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(12 * 2 * 2, 10),
        snn.Leaky(beta=0.8, init_hidden=True, output=True, spike_grad=spike_grad),
    )


def snn_recurrent(spike_grad=heaviside):
    return nn.Sequential(
        nn.Linear(64, 32),
        snn.RSynaptic(alpha=0.8, beta=0.9, linear_features=32, init_hidden=True, spike_grad=spike_grad),
        nn.Linear(32, 10),
        snn.RLeaky(beta=0.9, linear_features=10, init_hidden=True, output=True, spike_grad=spike_grad),
    )


def snn_forward_detached(net, x):
    """`snn_forward` for training a net with `RSynaptic`: snnTorch 1.0's `reset_hidden` zeroes its
    `syn` and `mem` but keeps `spk` (the next batch of the same shape starts from those spikes), and
    does not detach it either; detach it so that a batch does not backpropagate into the last."""
    for m in net.modules():
        if isinstance(m, snn.RSynaptic):
            m.spk = m.spk.detach()
    return snn_forward(net, x)


def snn_forward(net, x):
    """snnTorch's loop, as NeuroBench's SNNTorchModel runs it: the summed membrane of the output."""
    snn_utils.reset(net)
    out = 0
    for t in range(x.shape[1]):
        _, mem = net(x[:, t])
        out = out + mem
    return out


def train(net, forward, x, y, epochs, lr):
    torch.manual_seed(0)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            loss = nn.functional.cross_entropy(forward(net, x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return (forward(net, x).argmax(1) == y).float().mean().item()


def prune(weight, share):
    """Sets the `share` of `weight`'s elements of smallest magnitude to zero."""
    with torch.no_grad():
        k = int(weight.numel() * share)
        cut = weight.abs().flatten().kthvalue(k).values
        weight[weight.abs() <= cut] = 0.0


# ---------------------------------------------------------------- NeuroBench


def module_names(net):
    return {id(m): name for name, m in net.named_modules()}


class PerLayer:
    """Records what NeuroBench's own `single_layer_MACs` returns inside SynapticOperations, per layer."""

    def __init__(self):
        self.names = {}
        self.layers = defaultdict(lambda: {"calls": 0, "effective_acs": 0, "effective_macs": 0, "dense": 0})
        self.original = synaptic_operations.single_layer_MACs

    def __enter__(self):
        def wrapped(inputs, layer, total=False):
            ops, spiking = self.original(inputs, layer, total)
            row = self.layers[self.names[id(layer)]]
            if total:
                row["dense"] += ops
            else:
                row["calls"] += 1
                row["effective_acs" if spiking else "effective_macs"] += ops
            return ops, spiking

        synaptic_operations.single_layer_MACs = wrapped
        return self

    def __exit__(self, *exc):
        synaptic_operations.single_layer_MACs = self.original


class Batches:
    """The fixed batches, as a DataLoader yields them (`len(dataset)`: the samples)."""

    def __init__(self, batches):
        self.batches = batches
        self.dataset = range(sum(len(b) for b in batches))

    def __iter__(self):
        return iter([(b, torch.zeros(len(b), dtype=torch.long)) for b in self.batches])

    def __len__(self):
        return len(self.batches)


def feed_v(model):
    """spikingjelly neurons: hand `v` before and after each call to NeuroBench's neuron hooks, as
    an snnTorch neuron's `mem` is (NeuroBench reads `mem` only)."""
    from spikingjelly.clock_driven.neuron import BaseNode

    def v_of(node, like):
        v = node.v
        return v.detach().clone() if torch.is_tensor(v) else torch.full_like(like, float(v))

    for hook in model.activation_hooks:
        if isinstance(hook.layer, BaseNode):
            hook.layer.register_forward_pre_hook(
                lambda m, inp, hook=hook: hook.pre_fire_mem_potential.append(v_of(m, inp[0])))
            hook.layer.register_forward_hook(
                lambda m, inp, out, hook=hook: hook.post_fire_mem_potential.append(v_of(m, inp[0])))


def run_neurobench(model, net, batches, preprocessors=(), spikingjelly=False):
    metrics = [
        [Footprint, ParameterCount, ConnectionSparsity],
        [SynapticOperations, MembraneUpdates, ActivationSparsity, ActivationSparsityByLayer],
    ]
    with PerLayer() as per_layer:
        per_layer.names = module_names(net)
        bench = Benchmark(model, Batches(batches), list(preprocessors), [], metrics)
        if spikingjelly:
            feed_v(model)
        results = bench.run(quiet=True)
        updates = dict(bench.workload_metric_manager.metrics["MembraneUpdates"].neuron_membrane_updates)
    return {
        "results": results,
        "samples": sum(len(b) for b in batches),
        "batch_sizes": [len(b) for b in batches],
        "membrane_updates_by_type": updates,
        "connection_layers": dict(per_layer.layers),
    }


def both_dtypes(build, batches, wrap, **kw):
    """NeuroBench's results on a fresh float32 and a fresh float64 copy of the model."""
    out = {}
    for name, dtype in (("f32", torch.float32), ("f64", torch.float64)):
        net = build().to(dtype)
        model = wrap(net)
        out[name] = run_neurobench(model, net, [b.to(dtype) for b in batches], **kw)
    return out


def split(x):
    return [x[i:i + BATCH] for i in range(0, len(x), BATCH)]


def write(out, name, manifest, tensors=None):
    if tensors is not None:
        save_file({k: v.contiguous() for k, v in tensors.items()}, f"{out}/{name}.safetensors")
    with open(f"{out}/{name}.json", "w") as f:
        json.dump(manifest, f, indent=1)
    res = manifest["expected"]["f64"]["results"]
    print(name, {k: res[k] for k in res if k != "ActivationSparsityByLayer"}, flush=True)


def produced_by():
    from importlib.metadata import version

    return (f"neurobench {version('neurobench')}, snntorch {snn.__version__}, torch {torch.__version__}, "
            f"spikingjelly {version('spikingjelly')}")


def trained_case(out, name, net, build, forward, x_train, y_train, x_test, epochs, lr, wrap, edit=None):
    acc = train(net, forward, x_train, y_train, epochs, lr)
    if edit is not None:
        edit(net)
    state = {k: v.detach().float() for k, v in net.state_dict().items()}

    def fresh():
        m = build()
        m.load_state_dict(state)
        return m

    batches = split(x_test)
    tensors = dict(state)
    tensors.update({f"input.{i}": b for i, b in enumerate(batches)})
    manifest = {
        "case": name,
        "produced_by": produced_by(),
        "model_repr": repr(net),
        "train_accuracy": acc,
        "inputs": [list(b.shape) for b in batches],
        "expected": both_dtypes(fresh, batches, wrap),
    }
    write(out, name, manifest, tensors)
    return state


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/neurobench"
    only = set(sys.argv[2:])
    wanted = lambda name: not only or name in only  # noqa: E731
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    (x_train, y_train), (x_test, y_test) = digits()

    # LSTM/GRU/RNN cells on binarised rows, 30 % of the LSTM cell's weights pruned.
    if wanted("cells"):
        cells_case(out, x_train, y_train, x_test)
    spikes_train, spikes_test = rate_code(x_train, 1), rate_code(x_test, 2)
    if wanted("snn_mlp"):
        snn_mlp_cases(out, spikes_train, y_train, spikes_test)
    if wanted("snn_conv"):
        snn_conv_case(out, spikes_train, y_train, spikes_test)
    if wanted("snn_recurrent"):
        torch.manual_seed(4)
        net = snn_recurrent(snn.surrogate.atan())
        trained_case(out, "snn_recurrent", net, snn_recurrent, snn_forward_detached, spikes_train, y_train, spikes_test, 4,
                     5e-3, SNNTorchModel)
    if wanted("cifar_plif_t4"):
        cifar_plif_case(out)


def cells_case(out, x_train, y_train, x_test):
    torch.manual_seed(1)
    cells = Cells()

    def prune_cells(net):
        prune(net.lstm.weight_ih, 0.3)
        prune(net.lstm.weight_hh, 0.3)

    trained_case(out, "cells", cells, Cells, lambda n, x: n(x), rows(x_train), y_train, rows(x_test), 6, 1e-2,
                 TorchModel, edit=prune_cells)



def snn_mlp_cases(out, spikes_train, y_train, spikes_test):
    # snnTorch MLP, and the same weights half pruned.
    torch.manual_seed(2)
    mlp = snn_mlp(snn.surrogate.atan())
    state = trained_case(out, "snn_mlp", mlp, snn_mlp, snn_forward, spikes_train, y_train, spikes_test, 4, 5e-3,
                         SNNTorchModel)

    def pruned():
        net = snn_mlp()
        net.load_state_dict(state)
        prune(net[0].weight, 0.5)
        prune(net[2].weight, 0.5)
        return net

    net = pruned()
    pruned_state = {k: v.detach().float() for k, v in net.state_dict().items()}
    batches = split(spikes_test)
    tensors = dict(pruned_state)
    tensors.update({f"input.{i}": b for i, b in enumerate(batches)})

    def fresh_pruned():
        m = snn_mlp()
        m.load_state_dict(pruned_state)
        return m

    write(out, "snn_mlp_pruned", {
        "case": "snn_mlp_pruned",
        "produced_by": produced_by(),
        "model_repr": repr(net),
        "inputs": [list(b.shape) for b in batches],
        "expected": both_dtypes(fresh_pruned, batches, SNNTorchModel),
    }, tensors)



def snn_conv_case(out, spikes_train, y_train, spikes_test):
    # snnTorch conv net on the same spikes as 1x8x8 images.
    torch.manual_seed(3)
    conv = snn_conv(snn.surrogate.atan())
    img = lambda s: s.reshape(s.shape[0], STEPS, 1, 8, 8)  # noqa: E731
    trained_case(out, "snn_conv", conv, snn_conv, snn_forward, img(spikes_train), y_train, img(spikes_test), 3,
                 5e-3, SNNTorchModel)



def cifar_plif_case(out):
    # The spikingjelly reference case cifar_plif_t4, its weights and inputs from refgen.py.
    sys.path.insert(0, "tests/reference")
    import refgen
    from spikingjelly.clock_driven import functional
    from spikingjelly.clock_driven.neuron import BaseNode

    name = "cifar_plif_t4"
    builder, inputs = refgen.CASES[name]

    def reference():
        torch.manual_seed(0)
        model = builder()
        refgen.init_params(model, name)
        spec = inputs(name)
        refgen.set_norms(model, name, [refgen.materialize(dict(spec[0], key=f"{name}/calibration"))])
        return model.eval()

    batches = [refgen.materialize(b) for b in inputs(name)]

    def wrap(net):
        model = TorchModel(net)
        model.add_activation_module(BaseNode)
        return model

    expected = {}
    for dname, dtype in (("f32", torch.float32), ("f64", torch.float64)):
        net = reference().to(dtype)
        reset = lambda data, net=net: (functional.reset_net(net), data)[1]  # noqa: E731
        expected[dname] = run_neurobench(wrap(net), net, [b.to(dtype) for b in batches], preprocessors=[reset],
                                         spikingjelly=True)
    write(out, name, {
        "case": name,
        "produced_by": produced_by(),
        "reference": f"tests/reference/{name}.json",
        "model_repr": repr(reference()),
        "inputs": [list(b.shape) for b in batches],
        "expected": expected,
    })


if __name__ == "__main__":
    main()
