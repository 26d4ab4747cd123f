#!/usr/bin/env python3
# Regenerate with: /usr/bin/python3 examples/digits/train_digits.py   (from the repository root)
"""Trains a small MLP on sklearn's digits data set (1,797 8x8 images, features 0..16)
and exports it to ONNX for the trt-spark examples.

Outputs (next to this script):
  digits.onnx       input "features" float32 [batch,64] (raw 0..16 values),
                    output "probs" float32 [batch,10] (softmax probabilities), opset 17
  digits.csv        id,label,split,f0..f63 for all 1,797 rows in load_digits order
  model_card.json   accuracies computed from the exported ONNX weights (numpy forward pass)
"""
import csv
import hashlib
import json
import os
import random
import time

import numpy as np
import onnx
import sklearn
import torch
from onnx import numpy_helper
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
ONNX_PATH = os.path.join(HERE, "digits.onnx")
CSV_PATH = os.path.join(HERE, "digits.csv")
CARD_PATH = os.path.join(HERE, "model_card.json")

SEED = 0
EPOCHS = 400
LR = 0.01


class DigitsMLP(torch.nn.Module):
    """64 -> 64 (ReLU) -> 10; scales raw 0..16 inputs by 1/16 itself."""

    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(64, 64)
        self.fc2 = torch.nn.Linear(64, 10)

    def logits(self, x):
        x = x / 16.0
        return self.fc2(torch.relu(self.fc1(x)))

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def numpy_forward(model_proto, features):
    """Evaluates the exported ONNX graph with numpy (float32), supporting only the ops
    this exporter emits; fails loudly on anything else."""
    env = {t.name: numpy_helper.to_array(t) for t in model_proto.graph.initializer}
    env[model_proto.graph.input[0].name] = features.astype(np.float32)
    for node in model_proto.graph.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        ins = [env[n] for n in node.input]
        op = node.op_type
        if op == "Constant":
            out = numpy_helper.to_array(attrs["value"])
        elif op == "Div":
            out = ins[0] / ins[1]
        elif op == "Mul":
            out = ins[0] * ins[1]
        elif op == "Add":
            out = ins[0] + ins[1]
        elif op == "MatMul":
            out = ins[0] @ ins[1]
        elif op == "Gemm":
            a = ins[0].T if attrs.get("transA", 0) else ins[0]
            b = ins[1].T if attrs.get("transB", 0) else ins[1]
            out = attrs.get("alpha", 1.0) * (a @ b)
            if len(ins) > 2:
                out = out + attrs.get("beta", 1.0) * ins[2]
        elif op == "Relu":
            out = np.maximum(ins[0], 0)
        elif op == "Softmax":
            axis = attrs.get("axis", -1)
            e = np.exp(ins[0] - ins[0].max(axis=axis, keepdims=True))
            out = e / e.sum(axis=axis, keepdims=True)
        else:
            raise RuntimeError("numpy_forward: unsupported op " + op)
        env[node.output[0]] = np.asarray(out, dtype=np.float32)
    return env[model_proto.graph.output[0].name]


def main():
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    digits = load_digits()
    X = digits.data.astype(np.float32)          # (1797, 64), values 0..16
    y = digits.target.astype(np.int64)          # (1797,)
    ids = np.arange(len(y))
    train_idx, test_idx = train_test_split(ids, test_size=0.25, random_state=0, stratify=y)
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test_idx] = True

    model = DigitsMLP()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    xt = torch.from_numpy(X[train_idx])
    yt = torch.from_numpy(y[train_idx])
    t0 = time.time()
    model.train()
    for _ in range(EPOCHS):  # full-batch training
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model.logits(xt), yt)
        loss.backward()
        opt.step()
    model.eval()
    print("trained %d epochs in %.1fs, final train loss %.4f" % (EPOCHS, time.time() - t0, loss.item()))

    torch.onnx.export(
        model, torch.zeros(1, 64, dtype=torch.float32), ONNX_PATH,
        input_names=["features"], output_names=["probs"],
        dynamic_axes={"features": {0: "batch"}, "probs": {0: "batch"}},
        opset_version=17, do_constant_folding=True, export_params=True)

    proto = onnx.load(ONNX_PATH)
    onnx.checker.check_model(proto, full_check=True)
    print("ONNX ops:", sorted({n.op_type for n in proto.graph.node}),
          "opsets:", [(o.domain or "ai.onnx", o.version) for o in proto.opset_import],
          "ir_version:", proto.ir_version)

    probs = numpy_forward(proto, X)
    assert probs.shape == (len(y), 10) and probs.dtype == np.float32
    pred = probs.argmax(axis=1)
    with torch.no_grad():
        torch_pred = model(torch.from_numpy(X)).numpy().argmax(axis=1)
    disagree = int((pred != torch_pred).sum())
    if disagree:
        raise RuntimeError("numpy ONNX forward and torch disagree on %d rows" % disagree)

    correct = pred == y
    test_correct = int(correct[is_test].sum())
    test_rows = int(is_test.sum())
    all_correct = int(correct.sum())
    with open(ONNX_PATH, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()

    card = {
        "test_accuracy": test_correct / test_rows,
        "test_correct": test_correct,
        "test_rows": test_rows,
        "all_accuracy": all_correct / len(y),
        "all_correct": all_correct,
        "all_rows": int(len(y)),
        "onnx_sha256": sha,
        "input": "features",
        "output": "probs",
        "torch_version": torch.__version__,
        "sklearn_version": sklearn.__version__,
    }
    with open(CARD_PATH, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")

    with open(CSV_PATH, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "label", "split"] + ["f%d" % i for i in range(64)])
        for i in range(len(y)):
            w.writerow([i, int(y[i]), "test" if is_test[i] else "train"]
                       + [repr(float(v)) for v in X[i]])

    print("test accuracy: %d/%d = %.4f" % (test_correct, test_rows, card["test_accuracy"]))
    print("all  accuracy: %d/%d = %.4f" % (all_correct, len(y), card["all_accuracy"]))
    if card["test_accuracy"] < 0.95:
        raise SystemExit("test accuracy below 0.95")


if __name__ == "__main__":
    main()
