"""Times the original Python syops 0.0.5 counting a reference case, for benches/overhead.rs.

Usage: python python_syops.py PATH/TO/<case>.json [repeats]
Needs torch, torchvision, spikingjelly==0.0.0.0.14, syops==0.0.5, numpy, safetensors (as
tests/reference/refgen.py). Builds the case's model exactly as refgen.py does (generated weights,
calibrated norms), then times syops' DataLoader path (add_syops_counting_methods, start_syops_count,
one forward per batch with reset_net, compute_average_syops_cost) and the same forwards uncounted.
Prints one JSON object: counted_median_s, uncounted_median_s, repeats, torch, threads.
"""
import io
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "reference"))

import refgen  # noqa: E402  (sets torch to 2 threads, as the reference runs)
import syops.engine as se  # noqa: E402
import torch  # noqa: E402
from spikingjelly.clock_driven import functional  # noqa: E402


def build(name):
    builder, inputs = refgen.CASES[name]
    torch.manual_seed(0)
    model = builder()
    refgen.init_params(model, name)
    specs = inputs(name)
    refgen.set_norms(model, name, [refgen.materialize(dict(specs[0], key=f"{name}/calibration"))])
    return model, [refgen.materialize(b) for b in specs]


def counted(model, batches):
    sm = se.add_syops_counting_methods(model)
    sm.eval()
    sm.start_syops_count(ost=io.StringIO(), verbose=False, ignore_list=[])
    for batch in batches:
        with torch.no_grad():
            sm(batch)
        functional.reset_net(sm)
    totals, params = sm.compute_average_syops_cost()
    sm.stop_syops_count()
    return totals


def uncounted(model, batches):
    for batch in batches:
        with torch.no_grad():
            model(batch)
        functional.reset_net(model)


def median_time(f, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with open(path) as f:
        name = json.load(f)["case"]
    model, batches = build(name)
    model.eval()
    counted(model, batches)  # warm-up
    c = median_time(lambda: counted(model, batches), repeats)
    u = median_time(lambda: uncounted(model, batches), repeats)
    print(json.dumps({"case": name, "counted_median_s": c, "uncounted_median_s": u, "repeats": repeats,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
