"""Exports the benchmark models to ONNX (run on the GPU host, which has torch and torchvision):
MLP 784-2048-2048-10 and ResNet-50 (weights=None), both float32 with a dynamic batch dimension, opset 17;
and resnet50_u8: the same ResNet-50 taking uint8 HWC pixels [batch, 224, 224, 3], cast, scaled to 0..1,
normalized with ImageNet's mean and std and transposed to CHW in the graph.
encoder: a DistilBERT-sized encoder with a dynamic sequence (see Encoder), for the length-bucket benchmark.
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


class Layer(torch.nn.Module):
    def __init__(self, h, heads, ff):
        super().__init__()
        self.heads, self.d = heads, h // heads
        self.qkv, self.o = torch.nn.Linear(h, 3 * h), torch.nn.Linear(h, h)
        self.ln1, self.ln2 = torch.nn.LayerNorm(h), torch.nn.LayerNorm(h)
        self.ff1, self.ff2 = torch.nn.Linear(h, ff), torch.nn.Linear(ff, h)

    def forward(self, x, bias):
        b, n, h = x.shape[0], x.shape[1], x.shape[2]
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, self.d).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / self.d ** 0.5 + bias, dim=-1)
        x = self.ln1(x + self.o((att @ v).transpose(1, 2).reshape(b, n, h)))
        return self.ln2(x + self.ff2(torch.nn.functional.gelu(self.ff1(x))))


class Encoder(torch.nn.Module):
    """DistilBERT-sized encoder (6 layers, hidden 768, 12 heads, 128 positions, 8000 tokens): input_ids and
    attention_mask int64 [batch, seq] -> pooler_output [batch, 768], the mean of the unmasked tokens."""

    def __init__(self, vocab=8000, positions=128, h=768, layers=6, heads=12, ff=3072):
        super().__init__()
        self.tok, self.pos = torch.nn.Embedding(vocab, h), torch.nn.Embedding(positions, h)
        self.layers = torch.nn.ModuleList([Layer(h, heads, ff) for _ in range(layers)])

    def forward(self, ids, mask):
        x = self.tok(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device)).unsqueeze(0)
        m = mask.float()
        bias = (1.0 - m)[:, None, None, :] * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return (x * m.unsqueeze(-1)).sum(1) / m.sum(1, keepdim=True).clamp(min=1.0)


ids = torch.randint(0, 8000, (2, 16))
kwargs = dict(input_names=["input_ids", "attention_mask"], output_names=["pooler_output"], opset_version=17,
              dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                            "pooler_output": {0: "batch"}})
try:
    torch.onnx.export(Encoder().eval(), (ids, torch.ones_like(ids)), f"{out}/encoder.onnx", dynamo=False, **kwargs)
except TypeError:
    torch.onnx.export(Encoder().eval(), (ids, torch.ones_like(ids)), f"{out}/encoder.onnx", **kwargs)
print("exported encoder")
