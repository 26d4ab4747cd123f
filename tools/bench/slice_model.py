"""Writes a near-free ONNX model for the columnar benchmark: input [N, WIDTH] float32 -> its first value
per row, output [N, 1]. usage: python3 tools/bench/slice_model.py WIDTH OUT.onnx (Debian's python3-onnx)."""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

width, out = int(sys.argv[1]), sys.argv[2]
inits = [numpy_helper.from_array(np.array(v, dtype=np.int64), n) for n, v in
         [("starts", [0]), ("ends", [1]), ("axes", [1])]]
graph = helper.make_graph([helper.make_node("Slice", ["input", "starts", "ends", "axes"], ["output"])], "first_value",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", width])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 1])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="trt-spark bench")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, out)
print("wrote", out)
