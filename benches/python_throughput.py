"""Images per second over an image folder, for benches/throughput.rs: PyTorch + torchvision running
spikingjelly's spiking_resnet18 without counting, and the original syops 0.0.5 counting it.

Usage: python python_throughput.py FOLDER WEIGHTS.safetensors BATCH [REPEATS]
Needs torch, torchvision, spikingjelly==0.0.0.0.14, syops==0.0.5, safetensors. The model is
spiking_resnet18 with IF neurons and WEIGHTS (the bench's generated weights, so that both sides
count the same network); the data torchvision's ImageFolder with the ImageNet evaluation transform
(Resize(256), CenterCrop(224), ToTensor, Normalize), a DataLoader with one worker per core
(persistent, so that an epoch is timed without starting them). `plain` runs each batch under
no_grad and resets the neurons, as syops' own loop does; `syops` is
get_model_complexity_info(..., dataloader=loader), as a user of syops 0.0.5 counts over a dataset.
Each is timed over whole epochs after a warm-up one; prints one JSON object with the medians.
"""
import io
import json
import os
import statistics
import sys
import time

import torch
import torchvision
from safetensors.torch import load_file
from spikingjelly.clock_driven import functional, neuron
from spikingjelly.clock_driven.model import spiking_resnet
from syops import get_model_complexity_info
from torchvision import transforms


def median_time(f, repeats):
    f()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    folder, weights, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    model = spiking_resnet.spiking_resnet18(single_step_neuron=neuron.IFNode)
    missing, unexpected = model.load_state_dict(load_file(weights), strict=False)
    # Our checkpoints have no BatchNorm `num_batches_tracked` (unused in evaluation); nothing else may differ.
    if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
        sys.exit(f"the weights do not fit spiking_resnet18: missing {missing}, unexpected {unexpected}")
    model.eval()
    transform = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    data = torchvision.datasets.ImageFolder(folder, transform)
    workers = os.cpu_count()
    loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=False, num_workers=workers,
                                         persistent_workers=True)

    def plain():
        with torch.no_grad():
            for xs, _ in loader:
                model(xs)
                functional.reset_net(model)

    def counted():
        get_model_complexity_info(model, (3, 224, 224), dataloader=loader, print_per_layer_stat=False,
                                  as_strings=False, ost=io.StringIO())

    plain_s = median_time(plain, repeats)
    syops_s = median_time(counted, repeats)
    print(json.dumps({"images": len(data), "batch": batch, "plain_median_s": plain_s, "syops_median_s": syops_s,
                      "repeats": repeats, "workers": workers, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "torchvision": torchvision.__version__}))


if __name__ == "__main__":
    main()
