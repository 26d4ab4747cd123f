"""Exports the benchmark models to ONNX (run on the GPU host, which has torch and torchvision):
MLP 784-2048-2048-10 and ResNet-50 (weights=None), both float32 with a dynamic batch dimension, opset 17;
and resnet50_u8: the same ResNet-50 taking uint8 HWC pixels [batch, 224, 224, 3], cast, scaled to 0..1,
normalized with ImageNet's mean and std and transposed to CHW in the graph.
usage: python3 tools/bench/export_models.py OUT_DIR"""
import sys
import torch
import torchvision

out = sys.argv[1]
torch.manual_seed(0)
mlp = torch.nn.Sequential(torch.nn.Linear(784, 2048), torch.nn.ReLU(), torch.nn.Linear(2048, 2048), torch.nn.ReLU(),
                          torch.nn.Linear(2048, 10)).eval()
resnet = torchvision.models.resnet50(weights=None).eval()


class FromPixels(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, x):
        x = x.float().permute(0, 3, 1, 2) / 255.0  # cast first: TensorRT has no uint8 intermediate tensors
        return self.net((x - self.mean) / self.std)


u8 = FromPixels(resnet).eval()
for name, model, shape in [("mlp", mlp, (1, 784)), ("resnet50", resnet, (1, 3, 224, 224)),
                           ("resnet50_u8", u8, (1, 224, 224, 3))]:
    x = torch.randint(0, 256, shape, dtype=torch.uint8) if name.endswith("_u8") else torch.randn(*shape)
    kwargs = dict(input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                  opset_version=17)
    try:
        torch.onnx.export(model, x, f"{out}/{name}.onnx", dynamo=False, **kwargs)
    except TypeError:
        torch.onnx.export(model, x, f"{out}/{name}.onnx", **kwargs)
    print("exported", name)
