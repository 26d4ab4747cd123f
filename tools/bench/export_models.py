"""Exports the two benchmark models to ONNX (run on the GPU host, which has torch and torchvision):
MLP 784-2048-2048-10 and ResNet-50 (weights=None), both float32 with a dynamic batch dimension, opset 17.
usage: python3 tools/bench/export_models.py OUT_DIR"""
import sys
import torch
import torchvision

out = sys.argv[1]
torch.manual_seed(0)
mlp = torch.nn.Sequential(torch.nn.Linear(784, 2048), torch.nn.ReLU(), torch.nn.Linear(2048, 2048), torch.nn.ReLU(),
                          torch.nn.Linear(2048, 10)).eval()
resnet = torchvision.models.resnet50(weights=None).eval()
for name, model, shape in [("mlp", mlp, (1, 784)), ("resnet50", resnet, (1, 3, 224, 224))]:
    x = torch.randn(*shape)
    kwargs = dict(input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                  opset_version=17)
    try:
        torch.onnx.export(model, x, f"{out}/{name}.onnx", dynamo=False, **kwargs)
    except TypeError:
        torch.onnx.export(model, x, f"{out}/{name}.onnx", **kwargs)
    print("exported", name)
