// Tile2: an example user TensorRT plugin for trt-spark (TensorRT 10.6, IPluginV2DynamicExt).
//
// What it computes: one float32 input of any rank >= 1 with last dimension D, one float32 output of
// the same shape except that the last dimension is 2*D, with out[..., j] = in[..., j % D] (the last
// axis tiled twice). The ONNX fixture tile2_plugin.onnx uses it as a node with op_type "Tile2".
//
// How TensorRT finds it: IPluginRegistry::loadLibrary(path) (what spark.trt.plugins and
// `trt-spark build --plugins` call) dlopens this library and calls its two exported C functions,
// setLoggerFinder() and getCreators() (getPluginCreators() too, for older versions); the creator is then registered as "Tile2", version "1",
// namespace "". The ONNX parser maps an unknown node to the creator with the same name (attribute
// plugin_version, default "1"); an engine that contains the plugin finds the same creator when it is
// deserialized, provided the library was loaded first.
//
// It needs no CUDA kernel: enqueue() is two strided device-to-device copies (cudaMemcpy2DAsync),
// so it builds with g++ alone against TensorRT's headers and libcudart.so.12 (see build.sh).

#include <NvInferRuntime.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

using namespace nvinfer1;

#define TILE2_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

char const* const kPLUGIN_NAME = "Tile2";
char const* const kPLUGIN_VERSION = "1";

// Set by TensorRT through setLoggerFinder(); used to report CUDA errors through TensorRT's logger.
std::atomic<ILoggerFinder*> gLoggerFinder{nullptr};

void logError(std::string const& msg) noexcept {
  ILoggerFinder* finder = gLoggerFinder.load();
  ILogger* logger = finder != nullptr ? finder->findLogger() : nullptr;
  if (logger != nullptr) {
    logger->log(ILogger::Severity::kERROR, ("Tile2 plugin: " + msg).c_str());
  }
}

// The plugin has no parameters (so nothing to serialize) and keeps no state besides its namespace.
class Tile2Plugin final : public IPluginV2DynamicExt {
 public:
  Tile2Plugin() = default;
  Tile2Plugin(Tile2Plugin const&) = default;

  // ---- IPluginV2 ----
  AsciiChar const* getPluginType() const noexcept override { return kPLUGIN_NAME; }
  AsciiChar const* getPluginVersion() const noexcept override { return kPLUGIN_VERSION; }
  int32_t getNbOutputs() const noexcept override { return 1; }
  int32_t initialize() noexcept override { return 0; }
  void terminate() noexcept override {}
  size_t getSerializationSize() const noexcept override { return 0; }
  void serialize(void* /*buffer*/) const noexcept override {}
  void destroy() noexcept override { delete this; }
  void setPluginNamespace(AsciiChar const* ns) noexcept override {
    try {
      mNamespace = ns != nullptr ? ns : "";
    } catch (...) {
    }
  }
  AsciiChar const* getPluginNamespace() const noexcept override { return mNamespace.c_str(); }

  // ---- IPluginV2Ext ----
  DataType getOutputDataType(int32_t /*index*/, DataType const* /*inputTypes*/,
                             int32_t /*nbInputs*/) const noexcept override {
    return DataType::kFLOAT;
  }

  // ---- IPluginV2DynamicExt ----
  IPluginV2DynamicExt* clone() const noexcept override {
    return new (std::nothrow) Tile2Plugin(*this);
  }

  // Output shape = input shape with the last dimension multiplied by 2.
  DimsExprs getOutputDimensions(int32_t /*outputIndex*/, DimsExprs const* inputs, int32_t nbInputs,
                                IExprBuilder& exprBuilder) noexcept override {
    DimsExprs out = inputs[0];
    if (nbInputs != 1 || out.nbDims < 1) {
      logError("expects exactly one input of rank >= 1");
      return out;  // enqueue() refuses a rank-0 input
    }
    int32_t const last = out.nbDims - 1;
    out.d[last] = exprBuilder.operation(DimensionOperation::kPROD, *out.d[last], *exprBuilder.constant(2));
    return out;
  }

  // inOut[0] is the input, inOut[1] the output: both must be float32 in the linear (row-major) layout.
  bool supportsFormatCombination(int32_t pos, PluginTensorDesc const* inOut, int32_t nbInputs,
                                 int32_t nbOutputs) noexcept override {
    if (nbInputs != 1 || nbOutputs != 1 || pos < 0 || pos > 1) {
      return false;
    }
    return inOut[pos].type == DataType::kFLOAT && inOut[pos].format == TensorFormat::kLINEAR;
  }

  void configurePlugin(DynamicPluginTensorDesc const* /*in*/, int32_t /*nbInputs*/,
                       DynamicPluginTensorDesc const* /*out*/, int32_t /*nbOutputs*/) noexcept override {}

  size_t getWorkspaceSize(PluginTensorDesc const* /*inputs*/, int32_t /*nbInputs*/,
                          PluginTensorDesc const* /*outputs*/, int32_t /*nbOutputs*/) const noexcept override {
    return 0;
  }

  // View the input as a matrix of `rows` x D floats (rows = product of all dims but the last) and the
  // output as rows x 2D. Copy the input matrix twice: into columns [0, D) and into columns [D, 2D).
  int32_t enqueue(PluginTensorDesc const* inputDesc, PluginTensorDesc const* /*outputDesc*/,
                  void const* const* inputs, void* const* outputs, void* /*workspace*/,
                  cudaStream_t stream) noexcept override {
    Dims const& dims = inputDesc[0].dims;
    if (dims.nbDims < 1) {
      logError("input must have rank >= 1");
      return 1;
    }
    int64_t rows = 1;
    for (int32_t i = 0; i < dims.nbDims - 1; ++i) {
      rows *= dims.d[i];
    }
    int64_t const depth = dims.d[dims.nbDims - 1];
    if (rows <= 0 || depth <= 0) {
      return 0;  // empty tensor: nothing to copy
    }
    size_t const rowBytes = static_cast<size_t>(depth) * sizeof(float);
    char const* src = static_cast<char const*>(inputs[0]);
    char* dst = static_cast<char*>(outputs[0]);
    for (int32_t copy = 0; copy < 2; ++copy) {
      cudaError_t const err = cudaMemcpy2DAsync(dst + copy * rowBytes, /*dpitch=*/2 * rowBytes, src,
                                                /*spitch=*/rowBytes, /*width=*/rowBytes,
                                                /*height=*/static_cast<size_t>(rows),
                                                cudaMemcpyDeviceToDevice, stream);
      if (err != cudaSuccess) {
        logError(std::string("cudaMemcpy2DAsync failed: ") + cudaGetErrorString(err));
        return 1;
      }
    }
    return 0;
  }

 private:
  std::string mNamespace;
};

// Creates Tile2 plugins, from an ONNX node (no attributes are read) or from an engine (empty blob).
class Tile2Creator final : public IPluginCreator {
 public:
  AsciiChar const* getPluginName() const noexcept override { return kPLUGIN_NAME; }
  AsciiChar const* getPluginVersion() const noexcept override { return kPLUGIN_VERSION; }

  // No fields. The collection must still be non-null: the ONNX parser iterates over it.
  PluginFieldCollection const* getFieldNames() noexcept override { return &mFields; }

  IPluginV2* createPlugin(AsciiChar const* /*name*/, PluginFieldCollection const* /*fc*/) noexcept override {
    return make();
  }

  IPluginV2* deserializePlugin(AsciiChar const* /*name*/, void const* /*serialData*/,
                               size_t /*serialLength*/) noexcept override {
    return make();  // nothing was serialized
  }

  void setPluginNamespace(AsciiChar const* ns) noexcept override {
    try {
      mNamespace = ns != nullptr ? ns : "";
    } catch (...) {
    }
  }
  AsciiChar const* getPluginNamespace() const noexcept override { return mNamespace.c_str(); }

 private:
  IPluginV2* make() const noexcept {
    Tile2Plugin* plugin = new (std::nothrow) Tile2Plugin();
    if (plugin != nullptr) {
      plugin->setPluginNamespace(mNamespace.c_str());
    }
    return plugin;
  }

  PluginFieldCollection mFields{0, nullptr};
  std::string mNamespace;  // "" (the default namespace)
};

}  // namespace

// ---- Entry points that IPluginRegistry::loadLibrary() looks up with dlsym ----

// Called once when the library is loaded; the finder stays valid while the library is loaded.
TILE2_EXPORT void setLoggerFinder(ILoggerFinder* finder) {
  gLoggerFinder.store(finder);
}

// The library's creators, as TensorRT 10.6's loadLibrary() asks for them: getCreators() (it fails
// with "SymbolAddress for getCreators could not be loaded" without it, measured on an H100), whose
// entries may be V1 creators (IPluginCreator derives from IPluginCreatorInterface; the registry reads
// the kind from getInterfaceInfo()). getPluginCreators() is the older, deprecated entry point, kept for
// TensorRT versions that look for it.
static Tile2Creator gCreator;

TILE2_EXPORT IPluginCreatorInterface* const* getCreators(int32_t& nbCreators) {
  static IPluginCreatorInterface* const creators[] = {&gCreator};
  nbCreators = 1;
  return creators;
}

TILE2_EXPORT IPluginCreator* const* getPluginCreators(int32_t& nbCreators) {
  static IPluginCreator* const creators[] = {&gCreator};
  nbCreators = 1;
  return creators;
}
