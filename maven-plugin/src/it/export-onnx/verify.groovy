// The model is written where the execution says, and the log says how to look at it.
def model = new File(basedir, 'target/xor.onnx')
assert model.isFile() : "missing ${model}"
assert model.length() > 100
def log = new File(basedir, 'build.log').text
assert log.contains('nnc: wrote ')
assert log.contains('xor.onnx (ONNX opset 17)')
